package dev.apitrace.agent.testapp;

import java.lang.instrument.Instrumentation;

/** A first -javaagent that loads an application class before apitrace's premain runs. */
public final class EarlyAgent {
    private EarlyAgent() {}

    public static void premain(String args, Instrumentation inst) {
        System.out.println("early agent: " + Early.before());
    }
}
