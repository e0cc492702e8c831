package dev.apitrace.agent.testapp;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Opens a file through a File whose getPath works as often as the JDK's FileInputStream
 * constructor calls it (twice: the path, then File.isInvalid) and throws after:
 * the agent's own getPath call for the record fails inside the hook. The application
 * must not notice.
 */
public final class FaultyPathApp {
    private FaultyPathApp() {
    }

    static final class OnceFile extends File {
        private static final long serialVersionUID = 1L;
        private static final int JDK_CALLS = 2;
        private int calls;

        OnceFile(String path) {
            super(path);
        }

        @Override
        public String getPath() {
            if (calls++ >= JDK_CALLS) {
                throw new IllegalStateException("getPath called again");
            }
            return super.getPath();
        }
    }

    public static void main(String[] args) throws IOException {
        try (InputStream in = new FileInputStream(new OnceFile(args[0]))) {
            System.out.println("read " + in.readAllBytes().length + " bytes");
        }
    }
}
