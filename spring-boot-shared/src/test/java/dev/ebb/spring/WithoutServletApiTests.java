package dev.ebb.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A WebFlux application on Reactor Netty, as its users have it: no servlet API, Spring MVC or servlet server on the
 * class path. The test class path has them all, so the application runs in a class loader of its own without them.
 */
class WithoutServletApiTests {

    /** Parts of the test class path a WebFlux application on Reactor Netty does not have. */
    private static final List<String> SERVLET_PARTS = List.of("jakarta.servlet", "spring-webmvc", "spring-websocket",
            "tomcat", "jetty", "undertow", "jakarta.websocket");

    @Test
    void webFluxApplicationWithoutTheServletApiStartsAndShutsDownWithEbb() throws Exception {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader reactiveOnly = new URLClassLoader(reactiveClassPath(), ClassLoader.getPlatformClassLoader())) {
            assertThat(present(reactiveOnly, "jakarta.servlet.Filter")).as("the servlet API is left out").isFalse();
            assertThat(present(reactiveOnly, "reactor.netty.http.server.HttpServer")).isTrue();
            Thread.currentThread().setContextClassLoader(reactiveOnly);
            Class<?> application = reactiveOnly.loadClass("org.springframework.boot.SpringApplication");
            Class<?> source = reactiveOnly.loadClass(TestApplication.class.getName());
            String[] args = { "--server.port=0", "--spring.main.banner-mode=off", "--spring.main.web-application-type=reactive",
                    "--ebb.deregistration-delay=0s", "--ebb.handle-signals=false" };
            Object context = application.getMethod("run", Class.class, String[].class).invoke(null, source, args);
            Method getBean = context.getClass().getMethod("getBean", Class.class);
            Class<?> adapter = reactiveOnly.loadClass("dev.ebb.spi.ServerAdapter");
            Class<?> ebbType = reactiveOnly.loadClass("dev.ebb.Ebb");
            Object ebb = getBean.invoke(context, ebbType);
            try {
                assertThat(adapter.getMethod("serverName").invoke(getBean.invoke(context, adapter)))
                        .isEqualTo("Reactor Netty");
            } finally {
                context.getClass().getMethod("close").invoke(context);
            }
            Object report = CompletableFuture.class.cast(ebbType.getMethod("stopped").invoke(ebb)).get(30, TimeUnit.SECONDS);
            assertThat(report.getClass().getMethod("clean").invoke(report)).as("Ebb's report: " + report).isEqualTo(true);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    private static boolean present(ClassLoader loader, String name) {
        try {
            Class.forName(name, false, loader);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The test class path (Surefire's, or the JVM's) without {@link #SERVLET_PARTS}. */
    private static URL[] reactiveClassPath() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Stream.of(classPath.split(File.pathSeparator))
                .filter(entry -> SERVLET_PARTS.stream().noneMatch(part -> new File(entry).getName().contains(part)))
                .map(WithoutServletApiTests::url)
                .toArray(URL[]::new);
    }

    private static URL url(String entry) {
        try {
            return new File(entry).toURI().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(new IOException(entry, e));
        }
    }
}
