package dev.apitrace.agent.testapp;

/** Loaded and run by EarlyAgent before apitrace's premain; run again by main after it. */
public final class Early {
    private Early() {}

    public static String before() {
        return "before";
    }

    public static String after() {
        return "after";
    }

    public static void main(String[] args) {
        System.out.println(after());
    }
}
