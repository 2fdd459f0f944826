package io.ccf.ar.runtime.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.registry.StaticRegistryServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

/** {@code ar serve-registry DIR}: serve a static registry tree over HTTP until SIGINT/SIGTERM. */
@Command(name = "serve-registry", mixinStandardHelpOptions = true,
        description = {"Serve the static registry tree DIR read-only over HTTP (GET and HEAD) until SIGINT/SIGTERM.",
                "Prints `serving DIR at http://ADDR:PORT/` first (the real port with --port 0); one log line per request."})
final class ServeRegistryCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeRegistryCommand.class);

    @Mixin
    LogFormatOption logFormat;

    @Parameters(paramLabel = "DIR", description = "Registry tree, as written by `ar publish --to DIR`.")
    Path dir;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8081",
            description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String bind;

    @Override
    public Integer call() throws InterruptedException {
        logFormat.apply(System.getenv());
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port " + port + ": must be 0-65535 (0 picks a free port)");
        }
        InetSocketAddress address = new InetSocketAddress(resolve(bind), port);
        CountDownLatch stop = new CountDownLatch(1);
        // handled signals (not shutdown hooks), so a requested stop closes the server and exits 0
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        StaticRegistryServer server;
        try {
            server = StaticRegistryServer.start(dir, address);
        } catch (IOException e) {
            System.err.println("ar: cannot listen on " + hostForUrl(bind) + ":" + port + ": " + e.getMessage());
            return 1;
        }
        try (server) {
            System.out.println("serving " + server.root() + " at http://" + hostForUrl(bind) + ":"
                    + server.address().getPort() + "/");
            System.out.flush();
            log.atInfo().addKeyValue("dir", server.root()).addKeyValue("address", server.address())
                    .log("registry server started");
            stop.await();
        }
        log.atInfo().log("registry server stopped");
        return 0;
    }

    private static InetAddress resolve(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--bind " + host + ": unknown host or address", e);
        }
    }

    /** IPv6 literals go in brackets in a URL. */
    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
