package io.ccf.ar.runtime.cli;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code ar watch-results}: print every result published on job.result, one JSON line each. */
@Command(name = "watch-results", mixinStandardHelpOptions = true,
        description = "Print every result published on job.result as one JSON line, until Ctrl-C (or --count N).")
final class WatchResultsCommand implements Callable<Integer> {
    @Mixin
    NatsOptions nats;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N results.")
    int count;

    @Override
    public Integer call() throws Exception {
        CountDownLatch done = new CountDownLatch(count > 0 ? count : 1);
        Signal.handle(new Signal("INT"), s -> {
            while (done.getCount() > 0) {
                done.countDown();
            }
        });
        try (Connection connection = nats.connect(System.getenv())) {
            Dispatcher dispatcher = connection.createDispatcher(message -> {
                System.out.println(new String(message.getData(), StandardCharsets.UTF_8));
                System.out.flush();
                if (count > 0) {
                    done.countDown();
                }
            });
            dispatcher.subscribe("job.result");
            connection.flush(java.time.Duration.ofSeconds(5));
            System.err.println("watching job.result on " + connection.getConnectedUrl() + " (Ctrl-C to stop)");
            done.await();
        }
        return 0;
    }
}
