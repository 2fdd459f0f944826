package io.ccf.ar.runtime.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpTimeoutException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a response body from a registry with the three limits every download needs: a size limit, a
 * deadline for the whole body (java.net.http's request timeout covers only the headers, so a stalled
 * body is cut by closing the stream from a watchdog), and a check that the body is as long as its
 * Content-Length said. Static and OCI registries both read through here; each maps the failures below
 * to its own error.
 */
public final class BoundedBody {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "registry-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** More than the limit was announced or sent; not worth retrying. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    /** The body broke off or was shorter than announced; worth retrying. */
    public static final class Truncated extends IOException {
        private static final long serialVersionUID = 1L;

        Truncated(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private BoundedBody() {
    }

    /**
     * Copies body to out (and into digest when not null) and returns the byte count.
     *
     * @param declared the Content-Length, when the response had one
     * @param timeLeft how long the body may take; {@link HttpTimeoutException} after that
     * @throws TooLarge  when declared or received bytes exceed limit
     * @throws Truncated when the stream fails or ends before declared bytes
     */
    public static long copy(InputStream body, OptionalLong declared, long limit, Duration timeLeft, OutputStream out,
                            MessageDigest digest) throws IOException {
        if (declared.isPresent() && declared.getAsLong() > limit) {
            throw new TooLarge("body of " + declared.getAsLong() + " bytes is larger than the limit of " + limit + " bytes");
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            timedOut.set(true);
            try {
                body.close();
            } catch (IOException ignored) {
                // closing is only to unblock the reader
            }
        }, Math.max(0, timeLeft.toNanos()), TimeUnit.NANOSECONDS);
        long count = 0;
        try {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = body.read(buf)) >= 0 && !timedOut.get(); ) {
                count += n;
                if (count > limit) {
                    throw new TooLarge("body is larger than the limit of " + limit + " bytes");
                }
                out.write(buf, 0, n);
                if (digest != null) {
                    digest.update(buf, 0, n);
                }
            }
        } catch (TooLarge e) {
            throw e;
        } catch (IOException e) {
            if (!timedOut.get()) {
                throw new Truncated("body truncated after " + count + " bytes"
                        + (declared.isPresent() ? " of " + declared.getAsLong() : "") + ": " + e, e);
            }
        } finally {
            watchdog.cancel(false);
        }
        if (timedOut.get()) {
            throw new HttpTimeoutException("body not received within " + timeLeft.toMillis() + " ms");
        }
        if (declared.isPresent() && count != declared.getAsLong()) {
            throw new Truncated("body truncated: got " + count + " of " + declared.getAsLong()
                    + " bytes announced by Content-Length", null);
        }
        return count;
    }
}
