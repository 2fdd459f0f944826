package io.ccf.ar.runtime.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import picocli.CommandLine.Option;

/** Which NATS server a client command talks to. */
final class NatsOptions {
    static final String DEFAULT_URL = "nats://127.0.0.1:4222";

    @Option(names = "--nats", paramLabel = "URL",
            description = "NATS server. Default: $AR_EVENT_BUS_URL, else " + DEFAULT_URL + ".")
    String url;

    String url(Map<String, String> env) {
        if (url != null && !url.isBlank()) {
            return url;
        }
        String fromEnv = env.get("AR_EVENT_BUS_URL");
        return fromEnv == null || fromEnv.isBlank() ? DEFAULT_URL : fromEnv;
    }

    Connection connect(Map<String, String> env) throws IOException, InterruptedException {
        String server = url(env);
        try {
            return Nats.connect(new Options.Builder().server(server).connectionName("ar-cli")
                    .connectionTimeout(Duration.ofSeconds(5)).maxReconnects(0).build());
        } catch (IOException e) {
            throw new IOException("cannot connect to NATS at " + server + ": " + e.getMessage()
                    + " (is nats-server running? `make run-local` starts one)", e);
        }
    }
}
