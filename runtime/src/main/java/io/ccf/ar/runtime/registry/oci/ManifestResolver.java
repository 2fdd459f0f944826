package io.ccf.ar.runtime.registry.oci;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns a tag or digest into the image manifest to install: follows an image index to the entry for this
 * platform (an entry without platform fits any, as a Java plugin does) and checks the child against its descriptor.
 */
public final class ManifestResolver {
    private final RegistryClient client;
    private final OciPlatform platform;

    public ManifestResolver(RegistryClient client, OciPlatform platform) {
        this.client = client;
        this.platform = platform;
    }

    /** The top-level manifest or index the reference named, and the image manifest chosen from it. */
    public record Resolved(RegistryClient.FetchedManifest top, RegistryClient.FetchedManifest image, List<OciDescriptor> layers) {
    }

    public Resolved resolve(String repository, String reference) {
        RegistryClient.FetchedManifest top = client.manifest(repository, reference);
        JsonNode json = top.json();
        String mediaType = mediaType(top, json);
        RegistryClient.FetchedManifest image = top;
        if (OciMediaTypes.INDEXES.contains(mediaType)) {
            OciDescriptor chosen = choose(top, json);
            image = client.manifest(repository, chosen.digest());
            if (image.bytes().length != chosen.size()) {
                throw invalid(image, "manifest " + chosen.digest() + " is " + image.bytes().length
                        + " bytes but the index says " + chosen.size());
            }
            json = image.json();
            mediaType = mediaType(image, json);
        }
        if (!OciMediaTypes.MANIFESTS.contains(mediaType)) {
            throw invalid(image, "expected an OCI image manifest or index, got media type \"" + mediaType + "\"");
        }
        List<OciDescriptor> layers = new ArrayList<>();
        JsonNode layerNodes = json.path("layers");
        if (!layerNodes.isArray() || layerNodes.isEmpty()) {
            throw invalid(image, "manifest has no layers");
        }
        URI url = image.url();
        layerNodes.forEach(n -> layers.add(OciDescriptor.fromJson(n, url)));
        return new Resolved(top, image, layers);
    }

    private OciDescriptor choose(RegistryClient.FetchedManifest index, JsonNode json) {
        List<OciDescriptor> entries = new ArrayList<>();
        json.path("manifests").forEach(n -> entries.add(OciDescriptor.fromJson(n, index.url())));
        Optional<OciDescriptor> exact = entries.stream()
                .filter(d -> d.platform().map(p -> p.os().equals(platform.os())
                        && p.architecture().equals(platform.architecture())).orElse(false))
                .findFirst();
        if (exact.isPresent()) {
            return exact.get();
        }
        Optional<OciDescriptor> any = entries.stream().filter(d -> d.platform().isEmpty()).findFirst();
        if (any.isPresent()) {
            return any.get();
        }
        String offered = entries.stream().map(d -> d.platform().map(OciPlatform::toString).orElse("any"))
                .distinct().collect(Collectors.joining(", "));
        throw new OciRegistryError(OciRegistryError.Kind.NOT_FOUND, index.url(), "no manifest for this platform "
                + platform + " in the image index; it offers: " + (offered.isEmpty() ? "nothing" : offered));
    }

    /** The Content-Type, or the manifest's own mediaType field when the registry sent a generic type. */
    private static String mediaType(RegistryClient.FetchedManifest m, JsonNode json) {
        String declared = json.path("mediaType").asText("");
        if (OciMediaTypes.MANIFESTS.contains(m.mediaType()) || OciMediaTypes.INDEXES.contains(m.mediaType())) {
            return m.mediaType();
        }
        if (!declared.isEmpty()) {
            return declared;
        }
        return json.has("manifests") ? OciMediaTypes.OCI_INDEX : OciMediaTypes.OCI_MANIFEST;
    }

    private static OciRegistryError invalid(RegistryClient.FetchedManifest m, String message) {
        return new OciRegistryError(OciRegistryError.Kind.INVALID, m.url(), message);
    }
}
