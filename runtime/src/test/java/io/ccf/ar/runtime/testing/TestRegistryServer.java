package io.ccf.ar.runtime.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A static registry on a loopback port serving a directory tree; single paths can be made to misbehave. */
public final class TestRegistryServer implements AutoCloseable {
    public final Path root;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, HttpHandler> overrides = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    public final AtomicInteger total = new AtomicInteger();
    /** Every request's path with its Authorization header ("" when none), in arrival order. */
    public final java.util.List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile String requiredAuthorization;

    public TestRegistryServer(Path root) throws IOException {
        this(root, InetAddress.getLoopbackAddress());
    }

    /** On another address, e.g. 127.0.0.2 (loopback too, but another host for a client). */
    public TestRegistryServer(Path root, InetAddress address) throws IOException {
        this.root = root;
        server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI uri() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort() + "/");
    }

    /** Lays out {@code <root>/<pkg>/<version>/<file>} and its .sha256 (of the given content). */
    public Path publish(String pkg, String version, String file, byte[] content) throws Exception {
        Path dir = root.resolve(pkg).resolve(version);
        Files.createDirectories(dir);
        Path f = dir.resolve(file);
        Files.write(f, content);
        Files.writeString(dir.resolve(file + ".sha256"), sha256Hex(content) + "  " + file + "\n");
        return f;
    }

    /** From now on, every request without exactly this Authorization header gets a 401. */
    public void requireAuthorization(String header) {
        requiredAuthorization = header;
    }

    public void override(String path, HttpHandler handler) {
        overrides.put(path, handler);
    }

    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    public static String sha256Hex(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        total.incrementAndGet();
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(path + " " + (authorization == null ? "" : authorization));
        try {
            String required = requiredAuthorization;
            if (required != null && !required.equals(authorization)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"test\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            HttpHandler override = overrides.get(path);
            if (override != null) {
                override.handle(exchange);
                return;
            }
            Path file = root.resolve(path.substring(1)).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                byte[] msg = "not found".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(404, msg.length);
                exchange.getResponseBody().write(msg);
                return;
            }
            byte[] body = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
