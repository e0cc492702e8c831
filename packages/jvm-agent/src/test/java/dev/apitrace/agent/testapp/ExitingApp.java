package dev.apitrace.agent.testapp;

/** A child JVM for the end-to-end test: prints to both streams and exits with a chosen status. */
public final class ExitingApp {
    private ExitingApp() {}

    public static void main(String[] args) {
        System.out.println("out: " + String.join(" ", args));
        System.err.println("err: app");
        System.exit(Integer.parseInt(args[0]));
    }
}
