package io.ccf.ar.runtime.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves a static registry tree read-only over HTTP ({@code ar serve-registry}): GET and HEAD of regular
 * files under the root, nothing else. Paths are resolved with {@link RegistryPaths}, which refuses
 * traversal, hidden entries (publish staging) and symlinks leading out of the root; everything refused or
 * absent is a plain 404, so the answer does not tell which files exist outside the tree. Directories are
 * 404 too: clients only fetch files by name, and nginx's autoindex is there for browsing.
 */
public final class StaticRegistryServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StaticRegistryServer.class);
    private static final int THREADS = 8;

    private final RegistryPaths paths;
    private final HttpServer server;
    private final ExecutorService executor;

    private StaticRegistryServer(RegistryPaths paths, HttpServer server, ExecutorService executor) {
        this.paths = paths;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving {@code root} on {@code bind} (port 0 picks a free port).
     *
     * @throws IllegalArgumentException when root is not a directory
     * @throws IOException              when the address cannot be bound (in use, not local)
     */
    public static StaticRegistryServer start(Path root, InetSocketAddress bind) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("cannot serve " + root + ": not a directory");
        }
        RegistryPaths paths = new RegistryPaths(root);
        HttpServer server = HttpServer.create(bind, 0);
        // a small pool: one slow client (a large download on a slow link) must not hold up the others
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, namedThreads());
        StaticRegistryServer registry = new StaticRegistryServer(paths, server, executor);
        server.createContext("/", registry::handle);
        server.setExecutor(executor);
        server.start();
        return registry;
    }

    /** The bound address, with the real port when 0 was asked for. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    public Path root() {
        return paths.root();
    }

    /** Stops accepting, gives requests in flight up to a second to finish, and releases the threads. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        String method = exchange.getRequestMethod();
        String rawPath = exchange.getRequestURI().getRawPath();
        int status;
        long bytes = 0;
        try {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                status = 405;
                bytes = sendText(exchange, status, "method " + method + " not allowed: this registry is read-only\n");
            } else {
                Optional<Path> file = paths.resolve(rawPath);
                status = file.isPresent() ? 200 : 404;
                bytes = file.isPresent() ? sendFile(exchange, file.get(), method.equals("HEAD"))
                        : sendText(exchange, 404, "not found\n");
            }
        } catch (NoSuchFileException e) {
            // removed between resolving and opening (a version being replaced)
            status = 404;
            bytes = sendText(exchange, status, "not found\n");
        } catch (IOException e) {
            status = -1; // the client went away mid-body, or the file could not be read
            log.atWarn().addKeyValue("method", method).addKeyValue("path", rawPath)
                    .log("request failed: {}", e.toString());
        } finally {
            exchange.close();
        }
        log.atInfo().addKeyValue("method", method).addKeyValue("path", rawPath).addKeyValue("status", status)
                .addKeyValue("bytes", bytes).addKeyValue("ms", (System.nanoTime() - start) / 1_000_000)
                .addKeyValue("client", exchange.getRemoteAddress().getAddress().getHostAddress())
                .log("request");
    }

    /** Streams the file (opened once, so its size and content belong to the same file even if it is replaced). */
    private static long sendFile(HttpExchange exchange, Path file, boolean headOnly) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            exchange.getResponseHeaders().set("Content-Type", contentType(file));
            if (headOnly) {
                // the JDK server sends no Content-Length for HEAD by itself; a body length must not be passed
                exchange.getResponseHeaders().set("Content-Length", Long.toString(size));
                exchange.sendResponseHeaders(200, -1);
                return 0;
            }
            // size 0 would mean "chunked" to the JDK server; -1 means "no body", i.e. Content-Length: 0
            exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
            try (OutputStream out = exchange.getResponseBody()) {
                channel.transferTo(0, size, Channels.newChannel(out));
            }
            return size;
        }
    }

    private static long sendText(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(status, -1);
            return 0;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        return body.length;
    }

    static String contentType(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".json")) {
            return "application/json";
        }
        if (name.endsWith(".sha256")) {
            return "text/plain; charset=utf-8";
        }
        return "application/octet-stream";
    }

    private static ThreadFactory namedThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "registry-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
