package dev.apitrace.example;

/** Shipped in the application jar and never loaded: the SBOM shows it as installed only. */
public final class UnusedReport {
    private UnusedReport() {}

    public static String title() {
        return "never called";
    }
}
