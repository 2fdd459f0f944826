package io.ccf.ar.runtime.messaging;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Base64;

import com.fasterxml.jackson.core.JsonFactory;

import io.ccf.ar.runtime.files.DurableFiles;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * Results that can never be published, kept for good: {@code <spoolDir>/dead-letter/dead-letters.jsonl}, one JSON
 * object per line, appended and fsync'd before the result leaves the spool:
 *
 * <pre>{"resultId":"…","reason":"…","code":10054,"time":"2024-05-01T10:00:00Z","size":5000,"payload":"{…the result JSON…}"}</pre>
 *
 * {@code code} is the JetStream API error code when there is one; {@code payload} is the message exactly as it
 * would have been published (the result's JSON, as a string), or {@code payloadBase64} for bytes that are not
 * UTF-8 (a damaged spool record). Replay: {@code jq -r .payload dead-letters.jsonl} gives one result per line.
 *
 * <p>Not thread-safe: {@link ResultSpool} calls it from its own I/O thread only (never an interruptible one).
 * The file is opened for each record: dead letters are rare, and a channel closed under us cannot linger.
 */
final class DeadLetterFile {
    static final String DIR = "dead-letter";
    static final String FILE = "dead-letters.jsonl";
    private static final JsonFactory JSON = new JsonFactory();

    private final Path dir;
    private final Path file;

    DeadLetterFile(Path spoolDir) {
        this.dir = spoolDir.resolve(DIR);
        this.file = dir.resolve(FILE);
    }

    Path file() {
        return file;
    }

    /** Appends one record and forces it to disk; when this returns, the record is durable. */
    void append(String id, String reason, Integer code, byte[] payload) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(payload.length + 256);
        try (JsonGenerator g = JSON.createGenerator(line)) {
            g.writeStartObject();
            g.writeStringField("resultId", id);
            g.writeStringField("reason", reason);
            if (code != null) {
                g.writeNumberField("code", code);
            }
            g.writeStringField("time", Instant.now().toString());
            g.writeNumberField("size", payload.length);
            String text = utf8(payload);
            if (text != null) {
                g.writeStringField("payload", text);
            } else {
                g.writeStringField("payloadBase64", Base64.getEncoder().encodeToString(payload));
            }
            g.writeEndObject();
        }
        line.write('\n');
        boolean created = !Files.exists(file);
        if (created) {
            DurableFiles.createPrivateDirectories(dir); // 0700, the file 0600: results hold what plugins found
        }
        try (FileChannel ch = DurableFiles.openPrivate(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            long start = ch.size();
            ByteBuffer buf = ByteBuffer.wrap(line.toByteArray());
            try {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            } catch (IOException e) {
                ch.truncate(start); // no half line: the next record starts on a line of its own
                throw e;
            }
        }
        if (created) {
            ResultSpool.syncDir(dir);
            ResultSpool.syncDir(dir.getParent());
        }
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
