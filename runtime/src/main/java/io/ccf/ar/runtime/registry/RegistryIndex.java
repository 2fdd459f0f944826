package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.json.JsonMappers;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code <registry>/<package>/index.json} of a static registry: the versions of one package with their
 * file and SHA-256, so that a plan can ask for a range ({@code ^1.2}) and the downloader can pick one.
 * <pre>{@code
 * {"package": "sample",
 *  "versions": [{"version": "1.0.0", "file": "sample.jar", "sha256": "<64 hex>", "size": 123}]}
 * }</pre>
 * The index is optional: exact versions are fetched without it, and the {@code <file>.sha256} next to
 * each file stays the checksum that an install is verified against.
 *
 * <p>{@code serial} (a non-negative integer that grows with every index a publisher writes) and {@code expires}
 * (an RFC 3339 instant) matter only in a signed index ({@link IndexFreshness}): they let a runtime refuse an older
 * or stale index that is still validly signed. Both are optional; an index without {@code serial} counts as
 * serial 0, one without {@code expires} never expires. Readers that do not know them ignore them.
 *
 * @param serial  0 when the index has none
 * @param expires null when the index does not expire
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegistryIndex(String packageName, long serial, Instant expires, List<Version> versions) {

    /** One published version; {@code size} in bytes, {@code published} an ISO-8601 instant (optional). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Version(String version, String file, String sha256, Long size, String published) {
    }

    private static final ObjectMapper JSON = JsonMappers.FILES;

    /** Wire form: {@code package} is a Java keyword, so the record is mapped by hand; serial is checked by hand. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonPropertyOrder({"package", "serial", "expires", "versions"})
    private record Wire(@com.fasterxml.jackson.annotation.JsonProperty("package") String packageName,
                        JsonNode serial, String expires, List<Version> versions) {
    }

    public RegistryIndex {
        Objects.requireNonNull(packageName, "package");
        if (serial < 0) {
            throw new IllegalArgumentException("serial must not be negative: " + serial);
        }
        versions = List.copyOf(versions == null ? List.of() : versions);
    }

    /** An index without serial or expiry (serial 0). */
    public RegistryIndex(String packageName, List<Version> versions) {
        this(packageName, 0, null, versions);
    }

    /** A copy with this serial and expiry (null: none), as a publisher stamps it before signing. */
    public RegistryIndex stamped(long newSerial, Instant newExpires) {
        return new RegistryIndex(packageName, newSerial, newExpires, versions);
    }

    public Optional<Version> version(String version) {
        return versions.stream().filter(v -> v.version().equals(version)).findFirst();
    }

    /** A copy with {@code v} added, replacing an entry of the same version. */
    public RegistryIndex with(Version v) {
        List<Version> copy = new ArrayList<>(versions);
        copy.removeIf(existing -> existing.version().equals(v.version()));
        copy.add(v);
        return new RegistryIndex(packageName, serial, expires, copy);
    }

    /** Parses an index; throws IOException with what is wrong when it is not one. */
    public static RegistryIndex parse(byte[] json) throws IOException {
        Wire wire = JSON.readValue(json, Wire.class);
        if (wire == null || wire.packageName() == null || wire.packageName().isBlank()) {
            throw new IOException("index has no \"package\" field");
        }
        List<Version> versions = wire.versions() == null ? List.of() : wire.versions();
        for (Version v : versions) {
            if (v == null || v.version() == null || v.version().isBlank()) {
                throw new IOException("index lists a version without a \"version\" field");
            }
        }
        return new RegistryIndex(wire.packageName(), serial(wire.serial()), expires(wire.expires()), versions);
    }

    private static long serial(JsonNode node) throws IOException {
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
            throw new IOException("\"serial\" must be a non-negative integer, not " + abbreviate(node.toString()));
        }
        return node.asLong();
    }

    private static Instant expires(String text) throws IOException {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new IOException("\"expires\" must be an RFC 3339 instant (2026-01-31T00:00:00Z), not \""
                    + abbreviate(text) + "\"");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(new Wire(packageName, serial == 0 ? null : JsonNodeFactory.instance.numberNode(serial),
                    expires == null ? null : expires.toString(), versions));
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise index of " + packageName, e);
        }
    }
}
