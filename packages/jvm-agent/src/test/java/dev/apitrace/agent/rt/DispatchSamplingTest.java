package dev.apitrace.agent.rt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DispatchSamplingTest {
    private static final class CountingSink implements SpanSink {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void call(int hook, long t0, long t1, Object self, Object[] args, Object returned, Throwable thrown) {
            calls.incrementAndGet();
        }

        @Override
        public void served(int hook, long t0, long t1, Object self, Object[] args, Throwable thrown) {}
    }

    @AfterEach
    void uninstall() {
        Dispatch.install(null, null);
    }

    /** Runs {@code n} sampled calls on a fresh thread (the count is per thread); returns how many reached the sink. */
    private static int recordedOf(int n) throws InterruptedException {
        CountingSink sink = new CountingSink();
        Dispatch.install(sink, Thread.currentThread());
        Thread t = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                Dispatch.exit(0, Dispatch.enterSampled(), null, null, null, null);
            }
        });
        t.start();
        t.join();
        return sink.calls.get();
    }

    @Test
    void everyCallIsRecordedUpToTheThreadsFirstBudget() throws InterruptedException {
        assertEquals(Dispatch.SAMPLED_FIRST, recordedOf(Dispatch.SAMPLED_FIRST));
    }

    @Test
    void thenOneCallInEachSamplingPeriod() throws InterruptedException {
        assertEquals(Dispatch.SAMPLED_FIRST + 1, recordedOf(Dispatch.SAMPLED_FIRST + 1));
        assertEquals(Dispatch.SAMPLED_FIRST + 1, recordedOf(Dispatch.SAMPLED_FIRST + Dispatch.SAMPLE_EVERY));
        assertEquals(Dispatch.SAMPLED_FIRST + 3, recordedOf(Dispatch.SAMPLED_FIRST + 2 * Dispatch.SAMPLE_EVERY + 1));
    }

    @Test
    void aCallInsideAnotherRecordedCallIsNotRecordedNorCounted() throws InterruptedException {
        CountingSink sink = new CountingSink();
        Dispatch.install(sink, Thread.currentThread());
        Thread t = new Thread(() -> {
            long outer = Dispatch.enterSampled();
            long inner = Dispatch.enterSampled(); // Random.nextBytes calling nextInt
            Dispatch.exit(0, inner, null, null, null, null);
            Dispatch.exit(0, outer, null, null, null, null);
        });
        t.start();
        t.join();
        assertEquals(1, sink.calls.get());
    }
}
