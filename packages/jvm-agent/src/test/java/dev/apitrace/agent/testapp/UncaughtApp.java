package dev.apitrace.agent.testapp;

/** main ends with an exception (the launcher exits 1), or sleeps to be signalled. */
public final class UncaughtApp {
    private UncaughtApp() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("sleep")) {
            System.out.println("sleeping");
            System.out.flush();
            Thread.sleep(60_000);
        }
        throw new IllegalStateException("main fails");
    }
}
