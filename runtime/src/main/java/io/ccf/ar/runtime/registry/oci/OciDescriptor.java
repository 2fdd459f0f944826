package io.ccf.ar.runtime.registry.oci;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** An OCI content descriptor: what a manifest or index says about a blob or child manifest. */
public record OciDescriptor(String mediaType, String digest, long size, Map<String, String> annotations,
                            Optional<OciPlatform> platform) {

    public OciDescriptor(String mediaType, String digest, long size) {
        this(mediaType, digest, size, Map.of(), Optional.empty());
    }

    public String annotation(String key) {
        return annotations.get(key);
    }

    /** Reads and checks a descriptor of a manifest or index fetched from url. */
    static OciDescriptor fromJson(JsonNode node, URI url) {
        if (node == null || !node.isObject()) {
            throw invalid(url, "descriptor is not a JSON object");
        }
        String mediaType = node.path("mediaType").asText("");
        String digest = node.path("digest").asText("");
        if (!OciDigest.isDigest(digest)) {
            throw invalid(url, "descriptor digest \"" + digest + "\" is not sha256:<64 hex digits>");
        }
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || size.asLong() < 0) {
            throw invalid(url, "descriptor of " + digest + " has no valid size");
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        node.path("annotations").fields().forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
        Optional<OciPlatform> platform = Optional.empty();
        JsonNode p = node.get("platform");
        if (p != null && p.isObject()) {
            platform = Optional.of(new OciPlatform(p.path("os").asText(""), p.path("architecture").asText("")));
        }
        return new OciDescriptor(mediaType, digest, size.asLong(), Map.copyOf(annotations), platform);
    }

    private static OciRegistryError invalid(URI url, String message) {
        return new OciRegistryError(OciRegistryError.Kind.INVALID, url, "malformed manifest: " + message);
    }
}
