package dev.ebb.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The demo's picture: one self-contained HTML page with an SVG chart per run (with Ebb, without Ebb) on the
 * same scales — requests per second, failed requests per second, and each instance's phase shaded in a band
 * per instance. No script, no external resource: it opens from disk in any browser.
 */
final class DemoChart {

    /** What one second of a run looked like: the load's figures and each instance's state. */
    record Sample(double second, long requests, long failures, List<String> states) {
    }

    /** A moment to mark with a vertical line, such as a SIGTERM. */
    record Mark(double second, String label) {
    }

    /** One run: its title, its samples, its marks and its tally line. */
    record Run(String title, List<Sample> samples, List<Mark> marks, String tally) {
    }

    private static final int WIDTH = 600;
    private static final int LEFT = 56;
    private static final int RIGHT = 16;
    private static final int BAND = 14;
    private static final int PLOT = 170;
    private static final int FAIL_PLOT = 70;

    private DemoChart() {
    }

    /** Writes the page to {@code file}. */
    static void write(Path file, String app, List<Run> runs) throws IOException {
        double maxSecond = 1;
        long maxRequests = 1;
        long maxFailures = 1;
        for (Run r : runs) {
            for (Sample s : r.samples()) {
                maxSecond = Math.max(maxSecond, s.second());
                maxRequests = Math.max(maxRequests, s.requests());
                maxFailures = Math.max(maxFailures, s.failures());
            }
        }
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Ebb demo: ").append(app)
                .append("</title><style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}")
                .append(".runs{display:flex;gap:24px;flex-wrap:wrap}.run h2{font-size:16px;margin:0 0 4px}")
                .append(".run p{margin:4px 0 0;font-size:13px}.key span{display:inline-block;width:12px;height:12px;")
                .append("margin:0 4px 0 12px;vertical-align:middle}</style></head><body>")
                .append("<h1 style=\"font-size:20px\">Rolling restart of two ").append(esc(app))
                .append(" instances under load, by real SIGTERM</h1><div class=\"runs\">");
        for (Run r : runs) {
            html.append("<div class=\"run\"><h2>").append(esc(r.title())).append("</h2>")
                    .append(svg(r, maxSecond, maxRequests, maxFailures))
                    .append("<p>").append(esc(r.tally())).append("</p></div>");
        }
        html.append("</div><p class=\"key\">Bands per instance:")
                .append(key("#f2c14e", "DEREGISTERING (not ready, still serving)"))
                .append(key("#e8833a", "DRAINING")).append(key("#d64545", "stopping without Ebb"))
                .append(key("#b0b0b0", "exited / starting")).append("<br>Lines:")
                .append(key("#2f6db5", "requests per second")).append(key("#d64545", "failed requests per second"))
                .append(". Dashed lines: SIGTERM.")
                .append("</p></body></html>\n");
        Files.writeString(file, html);
    }

    private static String svg(Run r, double maxSecond, long maxRequests, long maxFailures) {
        int instances = r.samples().isEmpty() ? 0 : r.samples().get(0).states().size();
        int bandsTop = 8;
        int plotTop = bandsTop + instances * (BAND + 4) + 8;
        int failTop = plotTop + PLOT + 24;
        int height = failTop + FAIL_PLOT + 28;
        int plotWidth = WIDTH - LEFT - RIGHT;
        double dx = (double) plotWidth / maxSecond;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" font-size=\"11\">");
        for (int i = 0; i < instances; i++) {
            int y = bandsTop + i * (BAND + 4);
            s.append(text(4, y + BAND - 3, "s" + (i + 1)));
            s.append(rect(LEFT, y, plotWidth, BAND, "#e9f3e6"));
            for (Sample sample : r.samples()) {
                String color = color(sample.states().get(i));
                if (color != null) {
                    double x = LEFT + (sample.second() - 1) * dx;
                    s.append(rect(x, y, dx, BAND, color));
                    // Shade the charts below too, lightly, so failures line up with phases.
                    s.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(plotTop).append("\" width=\"")
                            .append(fmt(dx)).append("\" height=\"").append(failTop + FAIL_PLOT - plotTop)
                            .append("\" fill=\"").append(color).append("\" opacity=\"0.12\"/>");
                }
            }
        }
        axes(s, plotTop, PLOT, plotWidth, maxRequests, "req/s");
        axes(s, failTop, FAIL_PLOT, plotWidth, maxFailures, "failed/s");
        StringBuilder line = new StringBuilder();
        for (Sample sample : r.samples()) {
            double x = LEFT + sample.second() * dx;
            double y = plotTop + PLOT - (double) sample.requests() / maxRequests * PLOT;
            line.append(line.isEmpty() ? "M" : "L").append(fmt(x)).append(' ').append(fmt(y));
            if (sample.failures() > 0) {
                double h = (double) sample.failures() / maxFailures * FAIL_PLOT;
                s.append(rect(x - dx * 0.8, failTop + FAIL_PLOT - h, dx * 0.6, h, "#d64545"));
            }
        }
        for (Mark m : r.marks()) {
            double x = LEFT + m.second() * dx;
            s.append("<line x1=\"").append(fmt(x)).append("\" y1=\"").append(plotTop - 4).append("\" x2=\"").append(fmt(x))
                    .append("\" y2=\"").append(failTop + FAIL_PLOT).append("\" stroke=\"#444\" stroke-dasharray=\"3 3\"/>")
                    .append(text(x + 3, plotTop + 10, m.label()));
        }
        s.append("<path d=\"").append(line).append("\" fill=\"none\" stroke=\"#2f6db5\" stroke-width=\"2\"/>");
        for (int t = 0; t <= maxSecond; t += 10) {
            s.append(text(LEFT + t * dx - 6, height - 8, t + "s"));
        }
        return s.append("</svg>").toString();
    }

    private static void axes(StringBuilder s, int top, int height, int width, long max, String label) {
        s.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(top + height).append("\" x2=\"").append(LEFT + width)
                .append("\" y2=\"").append(top + height).append("\" stroke=\"#888\"/>");
        s.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(top).append("\" x2=\"").append(LEFT)
                .append("\" y2=\"").append(top + height).append("\" stroke=\"#888\"/>");
        s.append(text(4, top + 10, String.valueOf(max))).append(text(4, top + height, "0"))
                .append(text(4, top + height / 2 + 4, label));
    }

    private static String color(String state) {
        if (state.contains("DEREGISTERING")) {
            return "#f2c14e";
        }
        if (state.contains("DRAINING")) {
            return "#e8833a";
        }
        if (state.contains("stopping")) {
            return "#d64545";
        }
        if (state.contains("exited") || state.contains("starting")) {
            return "#b0b0b0";
        }
        return null;
    }

    private static String rect(double x, double y, double w, double h, String fill) {
        return "<rect x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" width=\"" + fmt(w) + "\" height=\"" + fmt(h)
                + "\" fill=\"" + fill + "\"/>";
    }

    private static String text(double x, double y, String t) {
        return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" fill=\"#555\">" + esc(t) + "</text>";
    }

    private static String key(String color, String label) {
        return "<span style=\"background:" + color + "\"></span>" + esc(label);
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
