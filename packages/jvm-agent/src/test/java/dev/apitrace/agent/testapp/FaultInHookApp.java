package dev.apitrace.agent.testapp;

import java.net.Socket;
import java.net.SocketAddress;

/**
 * Connects a Socket to an address type it does not support. The JDK throws its own
 * IllegalArgumentException; then the agent's hook, describing the address for the record,
 * calls its toString, which throws too. The application must see the JDK's exception and
 * nothing of the hook's.
 */
public final class FaultInHookApp {
    private FaultInHookApp() {}

    static final class OddAddress extends SocketAddress {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            throw new IllegalStateException("no words for this address");
        }
    }

    public static void main(String[] args) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new OddAddress(), 1000);
        } catch (IllegalArgumentException e) {
            System.out.println("the JDK said: " + e.getMessage());
        }
    }
}
