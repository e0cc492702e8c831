package dev.apitrace.agent.testapp;

/** Defined a second time, as a hidden class, by ModernJava. */
public final class HiddenTemplate {
    private HiddenTemplate() {}

    public static String greeting() {
        return "from a hidden class";
    }
}
