package io.ccf.ar.runtime.messaging;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The spool's record format, in one place for writing and for reading back (recovery and peek).
 *
 * <p>A segment starts with the 8 bytes {@code ARSPOOL1}, then records: {@code int32 bodyLength, int32
 * crc32c(body), body}, where body is {@code uint16 idLength, id (UTF-8), payload}. Big-endian. A record whose
 * id is empty is padding: it covers damaged bytes found at recovery, so that the offsets of the records around
 * it (and the head file pointing at them) stay valid; readers skip it.
 */
final class SpoolRecordCodec {
    static final byte[] MAGIC = "ARSPOOL1".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = 8;
    /** Smallest record: header and an empty id length. */
    static final int MIN_RECORD = HEADER + 2;

    /** A record read back: its id (empty for padding), payload and total length on disk. */
    record Decoded(String id, byte[] payload, int length) {
        boolean isPadding() {
            return id.isEmpty();
        }
    }

    private final int maxBody;

    SpoolRecordCodec(int maxBody) {
        this.maxBody = maxBody;
    }

    /** The whole record for one entry, ready to write. */
    ByteBuffer encode(String id, byte[] payload) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        if (idBytes.length == 0 || idBytes.length > 0xFFFF) {
            throw new IllegalArgumentException("spool entry id must have 1 to 65535 bytes, got " + idBytes.length);
        }
        long body = 2L + idBytes.length + payload.length;
        if (body > maxBody) {
            throw new IllegalArgumentException("spool entry " + id + " has " + body + " bytes, more than " + maxBody);
        }
        ByteBuffer buf = ByteBuffer.allocate(HEADER + (int) body);
        buf.position(HEADER);
        buf.putShort((short) idBytes.length).put(idBytes).put(payload);
        return seal(buf, (int) body);
    }

    /** A padding record of exactly {@code length} bytes (at least {@link #MIN_RECORD}). */
    ByteBuffer padding(int length) {
        if (length < MIN_RECORD) {
            throw new IllegalArgumentException("padding needs at least " + MIN_RECORD + " bytes, got " + length);
        }
        return seal(ByteBuffer.allocate(length), length - HEADER);
    }

    private static ByteBuffer seal(ByteBuffer buf, int body) {
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), HEADER, body);
        buf.putInt(0, body).putInt(4, (int) crc.getValue());
        buf.position(0).limit(HEADER + body);
        return buf;
    }

    /**
     * The body length announced by a header, or -1 if it cannot be a record that ends within {@code available}
     * bytes (header included).
     */
    int bodyLength(ByteBuffer header, long available) {
        int body = header.getInt(header.position());
        if (body < 2 || body > maxBody || available - HEADER < body) {
            return -1;
        }
        return body;
    }

    /**
     * Decodes a record from its header and body; null if the CRC or the id length is wrong.
     *
     * @param header 8 bytes at the record's start
     * @param body   exactly the body length the header announced
     */
    Decoded decode(ByteBuffer header, byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body, 0, body.length);
        if ((int) crc.getValue() != header.getInt(header.position() + 4) || body.length < 2) {
            return null;
        }
        int idLength = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
        if (idLength > body.length - 2) {
            return null;
        }
        String id = new String(body, 2, idLength, StandardCharsets.UTF_8);
        byte[] payload = Arrays.copyOfRange(body, 2 + idLength, body.length);
        return new Decoded(id, payload, HEADER + body.length);
    }

    /** Whether a valid record starts at {@code pos} of {@code bytes} (in memory; used to find the next one after damage). */
    boolean validAt(byte[] bytes, int pos) {
        if (bytes.length - pos < MIN_RECORD) {
            return false;
        }
        ByteBuffer view = ByteBuffer.wrap(bytes, pos, HEADER).slice();
        int body = bodyLength(view, bytes.length - pos);
        if (body < 0) {
            return false;
        }
        int idLength = ((bytes[pos + HEADER] & 0xFF) << 8) | (bytes[pos + HEADER + 1] & 0xFF);
        if (idLength > body - 2) {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, pos + HEADER, body);
        return (int) crc.getValue() == view.getInt(4);
    }

    static boolean isMagic(byte[] first) {
        return Arrays.equals(first, MAGIC);
    }
}
