package io.ccf.ar.runtime.fleet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;

/**
 * Answers {@code runtime.status} requests with this runtime's status document. Subscribed without a queue group,
 * so every runtime answers and the asker gathers the replies.
 */
public final class StatusResponder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusResponder.class);

    private final Connection connection;
    private final StatusReporter reporter;
    private final StatusCodec codec;
    private Dispatcher dispatcher;

    public StatusResponder(Connection connection, StatusReporter reporter, StatusCodec codec) {
        this.connection = connection;
        this.reporter = reporter;
        this.codec = codec;
    }

    public void start() {
        dispatcher = connection.createDispatcher(this::answer);
        dispatcher.subscribe(FleetSubjects.STATUS);
    }

    private void answer(Message request) {
        String replyTo = request.getReplyTo();
        if (replyTo == null || replyTo.isEmpty()) {
            return; // a plain publish asks nothing
        }
        try {
            connection.publish(replyTo, codec.encode(reporter.report()));
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("subject", FleetSubjects.STATUS).log("cannot answer a status request: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (dispatcher != null) {
            connection.closeDispatcher(dispatcher);
        }
    }
}
