package io.ccf.ar.runtime.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegistryIndex(String packageName, List<Version> versions) {

    /** One published version; {@code size} in bytes, {@code published} an ISO-8601 instant (optional). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Version(String version, String file, String sha256, Long size, String published) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Wire form: {@code package} is a Java keyword, so the record is mapped by hand. */
    private record Wire(@com.fasterxml.jackson.annotation.JsonProperty("package") String packageName,
                        List<Version> versions) {
    }

    public RegistryIndex {
        Objects.requireNonNull(packageName, "package");
        versions = List.copyOf(versions == null ? List.of() : versions);
    }

    public Optional<Version> version(String version) {
        return versions.stream().filter(v -> v.version().equals(version)).findFirst();
    }

    /** A copy with {@code v} added, replacing an entry of the same version. */
    public RegistryIndex with(Version v) {
        List<Version> copy = new ArrayList<>(versions);
        copy.removeIf(existing -> existing.version().equals(v.version()));
        copy.add(v);
        return new RegistryIndex(packageName, copy);
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
        return new RegistryIndex(wire.packageName(), versions);
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(new Wire(packageName, versions));
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise index of " + packageName, e);
        }
    }
}
