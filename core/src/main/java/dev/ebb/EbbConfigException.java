package dev.ebb;

import java.util.List;

/**
 * A configuration Ebb refuses, thrown at start-up. The message lists every problem, each naming the
 * property, the value given, what was expected and the fix.
 */
public final class EbbConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /** An exception for these problems, one sentence each. */
    public EbbConfigException(List<String> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    /** An exception for one problem. */
    public EbbConfigException(String problem) {
        this(List.of(problem));
    }

    /** Every problem found, one sentence each. */
    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        if (problems.size() == 1) {
            return "Invalid Ebb configuration: " + problems.get(0);
        }
        StringBuilder sb = new StringBuilder("Invalid Ebb configuration (" + problems.size() + " problems):");
        for (String p : problems) {
            sb.append("\n  - ").append(p);
        }
        return sb.toString();
    }
}
