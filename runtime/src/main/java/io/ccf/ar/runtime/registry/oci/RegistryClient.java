package io.ccf.ar.runtime.registry.oci;

import io.ccf.ar.runtime.json.JsonMappers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ccf.ar.runtime.registry.BoundedBody;
import io.ccf.ar.runtime.registry.DownloaderOptions;
import io.ccf.ar.runtime.registry.auth.AuthorizedHttp;
import io.ccf.ar.runtime.registry.auth.CredentialException;
import io.ccf.ar.runtime.registry.auth.CredentialSource;
import io.ccf.ar.runtime.registry.auth.RegistryCredential;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few calls of the OCI distribution API we need, on java.net.http: manifests, blobs and tags (pull), blob
 * upload and manifest put (push), answering 401 challenges: Bearer tokens (anonymous, or with Basic credentials or
 * an identity token at the realm) and Basic.
 *
 * <p>Why not ORAS's Java SDK (land.oras:oras-java-sdk 0.7.0), measured on this project: it needs
 * jackson-annotations 2.20+ and dies with NoClassDefFoundError (JsonSerializeAs) under our Jackson 2.18.2 BOM;
 * it grows ar.jar from 31.8 MB to 51.2 MB (BouncyCastle, zstd-jni natives, Jackson 3, micrometer); and it
 * checks neither streamed blob bytes against their digest nor a manifest fetched by digest against that digest,
 * has only a connect timeout and no retries, so all of that would have had to be wrapped around it anyway.
 *
 * <p>Every request (headers and body) must finish within the configured timeout; transient failures (5xx,
 * timeouts, connection errors) are retried with doubling backoff. Content is never trusted: callers get bytes
 * that were hashed and sized against what they asked for.
 */
public final class RegistryClient {
    /** The distribution spec lets registries refuse manifests over 4 MiB; we refuse to read more. */
    public static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
    private static final int MAX_SMALL_BODY = 1024 * 1024;
    private static final ObjectMapper JSON = JsonMappers.COMPACT;
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

    private final OciLocation location;
    private final DownloaderOptions options;
    private final HttpClient http;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final CredentialSource credentials;
    /** Set once the registry asked for Basic: then sent with every request to it. */
    private volatile String basicHeader;

    public RegistryClient(OciLocation location, DownloaderOptions options) {
        this(location, options, CredentialSource.NONE);
    }

    /** With credentials, looked up by the registry's host[:port] when a challenge asks for them. */
    public RegistryClient(OciLocation location, DownloaderOptions options, CredentialSource credentials) {
        this.location = location;
        this.options = options;
        this.credentials = credentials == null ? CredentialSource.NONE : credentials;
        // redirects are followed by AuthorizedHttp, which keeps the Authorization header on the registry's origin
        this.http = AuthorizedHttp.newClient(options.connectTimeout());
    }

    public OciLocation location() {
        return location;
    }

    /** A manifest or index as the registry sent it, with the digest of those exact bytes. */
    public record FetchedManifest(String mediaType, byte[] bytes, String digest, URI url) {
        public JsonNode json() {
            try {
                return JSON.readTree(bytes);
            } catch (IOException e) {
                throw new OciRegistryError(OciRegistryError.Kind.INVALID, url, "manifest is not JSON: " + e.getMessage(), e);
            }
        }
    }

    // ---- pull ----

    /**
     * GETs a manifest by tag or digest. By digest, the bytes must hash to it; by tag, they must hash to the
     * Docker-Content-Digest the registry announces (when it does).
     */
    public FetchedManifest manifest(String repository, String reference) {
        URI url = api("/v2/" + repository + "/manifests/" + reference);
        return withRetries(url, () -> {
            HttpResponse<InputStream> response = send(url, "GET", Map.of("Accept", OciMediaTypes.MANIFEST_ACCEPT),
                    null, pullScope(repository));
            try (InputStream body = response.body()) {
                requireOk(response, url, "manifest " + reference);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                MessageDigest sha = OciDigest.newSha256();
                copy(response, body, url, MAX_MANIFEST_BYTES, out, sha);
                byte[] bytes = out.toByteArray();
                String digest = OciDigest.of(sha);
                if (OciDigest.isDigest(reference) && !reference.equals(digest)) {
                    throw new OciRegistryError(OciRegistryError.Kind.INVALID, url, "digest mismatch: manifest requested as "
                            + reference + " hashes to " + digest);
                }
                Optional<String> announced = response.headers().firstValue("Docker-Content-Digest");
                if (announced.isPresent() && OciDigest.isDigest(announced.get()) && !announced.get().equals(digest)) {
                    throw new OciRegistryError(OciRegistryError.Kind.INVALID, url, "digest mismatch: registry says the manifest is "
                            + announced.get() + " but its bytes hash to " + digest);
                }
                String mediaType = response.headers().firstValue("Content-Type").orElse("").split(";")[0].strip();
                return new FetchedManifest(mediaType, bytes, digest, url);
            }
        });
    }

    /**
     * Streams a blob into target, refusing more than maxBytes, and checks its size and digest against the
     * descriptor before returning; target is deleted when the check fails.
     */
    public void blob(String repository, OciDescriptor descriptor, Path target, long maxBytes) {
        URI url = api("/v2/" + repository + "/blobs/" + descriptor.digest());
        if (descriptor.size() > maxBytes) {
            throw new OciRegistryError(OciRegistryError.Kind.INVALID, url, "blob " + descriptor.digest() + " of "
                    + descriptor.size() + " bytes is larger than the limit of " + maxBytes + " bytes");
        }
        withRetries(url, () -> {
            HttpResponse<InputStream> response = send(url, "GET", Map.of(), null, pullScope(repository));
            try (InputStream body = response.body()) {
                requireOk(response, url, "blob " + descriptor.digest());
                MessageDigest sha = OciDigest.newSha256();
                long count;
                try (OutputStream out = Files.newOutputStream(target)) {
                    // read one byte past the announced size, so a longer body is caught as a mismatch
                    count = copy(response, body, url, descriptor.size() + 1, out, sha);
                } catch (OciRegistryError e) {
                    Files.deleteIfExists(target);
                    if (e.kind() == OciRegistryError.Kind.INVALID) {
                        throw new OciRegistryError(e.kind(), url, "blob " + descriptor.digest()
                                + " is larger than the " + descriptor.size() + " bytes its descriptor says", e);
                    }
                    throw e;
                }
                String actual = OciDigest.of(sha);
                if (count != descriptor.size() || !actual.equals(descriptor.digest())) {
                    Files.deleteIfExists(target);
                    throw new OciRegistryError(OciRegistryError.Kind.INVALID, url, "digest mismatch: blob "
                            + descriptor.digest() + " (" + descriptor.size() + " bytes) arrived as " + actual
                            + " (" + count + " bytes); refusing it");
                }
                return null;
            }
        });
    }

    /** All tags of a repository, following the registry's pagination. */
    public List<String> tags(String repository) {
        List<String> tags = new ArrayList<>();
        URI url = api("/v2/" + repository + "/tags/list");
        while (url != null) {
            URI page = url;
            TagsPage result = withRetries(page, () -> {
                HttpResponse<InputStream> response = send(page, "GET", Map.of("Accept", "application/json"), null,
                        pullScope(repository));
                try (InputStream body = response.body()) {
                    requireOk(response, page, "tag list");
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    copy(response, body, page, MAX_SMALL_BODY, out, null);
                    JsonNode json = JSON.readTree(out.toByteArray());
                    List<String> names = new ArrayList<>();
                    json.path("tags").forEach(t -> names.add(t.asText()));
                    URI next = response.headers().firstValue("Link").map(NEXT_LINK::matcher)
                            .filter(Matcher::find).map(m -> page.resolve(m.group(1))).orElse(null);
                    return new TagsPage(names, next);
                }
            });
            tags.addAll(result.tags());
            url = result.next();
        }
        return tags;
    }

    private record TagsPage(List<String> tags, URI next) {
    }

    // ---- push ----

    /** Uploads a blob (monolithic POST + PUT) unless the registry already has it. */
    public void pushBlob(String repository, OciDescriptor descriptor, Supplier<HttpRequest.BodyPublisher> body) {
        URI head = api("/v2/" + repository + "/blobs/" + descriptor.digest());
        boolean exists = withRetries(head, () -> {
            HttpResponse<InputStream> response = send(head, "HEAD", Map.of(), null, pushScope(repository));
            try (InputStream ignored = response.body()) {
                if (response.statusCode() == 404) {
                    return false;
                }
                requireOk(response, head, "blob " + descriptor.digest());
                return true;
            }
        });
        if (exists) {
            return;
        }
        URI start = api("/v2/" + repository + "/blobs/uploads/");
        withRetries(start, () -> {
            HttpResponse<InputStream> started = send(start, "POST", Map.of("Content-Length", "0"),
                    HttpRequest.BodyPublishers.noBody(), pushScope(repository));
            URI upload;
            try (InputStream ignored = started.body()) {
                requireStatus(started, start, "blob upload", 202);
                String where = started.headers().firstValue("Location").orElseThrow(() -> new OciRegistryError(
                        OciRegistryError.Kind.INVALID, start, "registry started an upload but sent no Location"));
                upload = start.resolve(where);
            }
            String sep = upload.getRawQuery() == null ? "?" : "&";
            URI put = URI.create(upload + sep + "digest=" + URLEncoder.encode(descriptor.digest(), StandardCharsets.UTF_8));
            HttpResponse<InputStream> done = send(put, "PUT", Map.of("Content-Type", "application/octet-stream"),
                    body.get(), pushScope(repository));
            try (InputStream ignored = done.body()) {
                requireStatus(done, put, "blob " + descriptor.digest(), 201);
            }
            return null;
        });
    }

    /** PUTs a manifest or index under a tag (or its digest) and returns its digest. */
    public String pushManifest(String repository, String reference, String mediaType, byte[] bytes) {
        String digest = OciDigest.of(bytes);
        URI url = api("/v2/" + repository + "/manifests/" + reference);
        withRetries(url, () -> {
            HttpResponse<InputStream> response = send(url, "PUT", Map.of("Content-Type", mediaType),
                    HttpRequest.BodyPublishers.ofByteArray(bytes), pushScope(repository));
            try (InputStream ignored = response.body()) {
                requireStatus(response, url, "manifest " + reference, 201);
            }
            return null;
        });
        return digest;
    }

    // ---- HTTP plumbing ----

    private URI api(String path) {
        return URI.create(location.apiBase() + path);
    }

    private static String pullScope(String repository) {
        return "repository:" + repository + ":pull";
    }

    private static String pushScope(String repository) {
        return "repository:" + repository + ":pull,push";
    }

    /**
     * Sends one request with what earlier challenges asked for (a token for the scope, or Basic credentials); on a
     * 401 answers the challenge (Bearer: a token from the realm, with the host's credentials when there are any;
     * Basic: the host's credentials) and sends it again. GET and HEAD follow redirects, and the Authorization
     * header goes only to the registry's own origin (blobs are often redirected to object storage).
     */
    private HttpResponse<InputStream> send(URI url, String method, Map<String, String> headers,
                                           HttpRequest.BodyPublisher body, String scope)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> response = sendOnce(url, method, headers, body, authorization(scope));
        if (response.statusCode() != 401) {
            return response;
        }
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        response.body().close();
        Optional<RegistryCredential> credential = credential(url);
        if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
            if (credential.isEmpty()) {
                throw new OciRegistryError(OciRegistryError.Kind.DENIED, url, "HTTP 401: registry host " + host()
                        + " wants a user name and password (Basic) and none is configured for it: set registry.username"
                        + " + registry.passwordFile, or `docker login " + host() + "` (registry.dockerConfig)");
            }
            if (!(credential.get() instanceof RegistryCredential.Basic basic)) {
                throw new OciRegistryError(OciRegistryError.Kind.DENIED, url, "HTTP 401: registry host " + host()
                        + " wants a user name and password (Basic), but " + credential.get().origin() + " has a token");
            }
            if (basicHeader != null) { // it was sent already
                throw refused(url, credential.get());
            }
            basicHeader = basic.header();
        } else if (challenge.regionMatches(true, 0, "Bearer ", 0, 7)) {
            // no token yet, or one that does not cover this request (a challenge names the scope it needs)
            tokens.put(scope, token(url, challenge, scope, credential));
        } else {
            throw new OciRegistryError(OciRegistryError.Kind.DENIED, url, "HTTP 401 from registry host " + host()
                    + " with " + (challenge.isEmpty() ? "no challenge" : "an unsupported challenge ("
                    + challenge.split(" ")[0] + ")"));
        }
        // a body publisher can be subscribed again, so the retried request sends the same content
        response = sendOnce(url, method, headers, body, authorization(scope));
        if (response.statusCode() == 401) {
            response.body().close();
            if (credential.isPresent() && tokens.containsKey(scope)) {
                tokens.remove(scope);
                throw new OciRegistryError(OciRegistryError.Kind.DENIED, url, "HTTP 401: registry host " + host()
                        + " refused the token for " + scope + " obtained with the credentials from "
                        + credential.get().origin() + " (does that account have this access?)");
            }
            if (credential.isPresent()) {
                throw refused(url, credential.get());
            }
            tokens.remove(scope);
            throw new OciRegistryError(OciRegistryError.Kind.DENIED, url, "HTTP 401 from registry host " + host()
                    + " with an anonymous token: it wants credentials; set registry.username + registry.passwordFile,"
                    + " or `docker login " + host() + "` (registry.dockerConfig)");
        }
        return response;
    }

    private OciRegistryError refused(URI url, RegistryCredential credential) {
        return new OciRegistryError(OciRegistryError.Kind.DENIED, url, "HTTP 401: registry host " + host()
                + " refused the credentials from " + credential.origin());
    }

    private String host() {
        return location.authority();
    }

    private Optional<String> authorization(String scope) {
        String token = tokens.get(scope);
        if (token != null) {
            return Optional.of("Bearer " + token);
        }
        return Optional.ofNullable(basicHeader);
    }

    private Optional<RegistryCredential> credential(URI url) {
        try {
            return credentials.lookup(location.authority().toLowerCase(Locale.ROOT));
        } catch (CredentialException e) {
            throw new OciRegistryError(OciRegistryError.Kind.DENIED, url, e.getMessage(), e);
        }
    }

    private HttpResponse<InputStream> sendOnce(URI url, String method, Map<String, String> headers,
                                               HttpRequest.BodyPublisher body, Optional<String> authorization)
            throws IOException, InterruptedException {
        return AuthorizedHttp.send(http, url, method, u -> request(u, method, headers, body), authorization).response();
    }

    private HttpRequest.Builder request(URI url, String method, Map<String, String> headers, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(options.timeout())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        headers.forEach((k, v) -> {
            if (!k.equalsIgnoreCase("Content-Length")) { // restricted header: the client computes it
                b.header(k, v);
            }
        });
        return b;
    }

    /**
     * A token from the challenge's realm for the scope: anonymous, with Basic credentials (Docker's token
     * flow), or with an identity token as an OAuth2 refresh token (POST). Credentials go to a realm only over
     * HTTPS, or on the registry's own host, or on loopback.
     */
    private String token(URI url, String challenge, String scope, Optional<RegistryCredential> credential)
            throws IOException, InterruptedException {
        Map<String, String> params = new HashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null) {
            throw new OciRegistryError(OciRegistryError.Kind.DENIED, url, "HTTP 401 with a Bearer challenge without realm");
        }
        // what the challenge names, and what this client will go on to do (pull, or pull and push)
        String challengeScope = params.get("scope");
        List<String> scopes = challengeScope == null || challengeScope.equals(scope) ? List.of(scope)
                : List.of(challengeScope, scope);
        URI realmUrl;
        try {
            realmUrl = URI.create(realm);
        } catch (IllegalArgumentException e) {
            throw new OciRegistryError(OciRegistryError.Kind.DENIED, url, "Bearer challenge with an invalid realm");
        }
        if (credential.isPresent() && !mayReceiveCredentials(realmUrl)) {
            throw new OciRegistryError(OciRegistryError.Kind.DENIED, url, "registry host " + host() + " sends its clients to"
                    + " token endpoint " + AuthorizedHttp.redact(realmUrl) + " over plain HTTP on another host; not sending"
                    + " the credentials from " + credential.get().origin() + " there");
        }
        HttpResponse<InputStream> response;
        URI tokenUrl;
        if (credential.isPresent() && credential.get() instanceof RegistryCredential.IdentityToken identity) {
            tokenUrl = realmUrl;
            String form = "grant_type=refresh_token&client_id=ar&refresh_token="
                    + URLEncoder.encode(identity.refreshToken(), StandardCharsets.UTF_8)
                    + (params.containsKey("service") ? "&service=" + URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8) : "")
                    + "&scope=" + URLEncoder.encode(String.join(" ", scopes), StandardCharsets.UTF_8);
            response = sendOnce(tokenUrl, "POST", Map.of("Content-Type", "application/x-www-form-urlencoded"),
                    HttpRequest.BodyPublishers.ofString(form), Optional.empty());
        } else {
            StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
            if (params.containsKey("service")) {
                q.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8)).append('&');
            }
            q.append(scopes.stream().map(x -> "scope=" + URLEncoder.encode(x, StandardCharsets.UTF_8))
                    .collect(java.util.stream.Collectors.joining("&")));
            tokenUrl = URI.create(q.toString());
            Optional<String> auth = credential.map(c -> c instanceof RegistryCredential.Basic b ? b.header()
                    : c instanceof RegistryCredential.Bearer t ? t.header() : null);
            response = sendOnce(tokenUrl, "GET", Map.of(), null, auth);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                throw new OciRegistryError(OciRegistryError.Kind.DENIED, url, "token endpoint "
                        + AuthorizedHttp.redact(realmUrl) + " of registry host " + host() + " answered HTTP "
                        + response.statusCode() + (credential.isPresent() ? ": the credentials from "
                        + credential.get().origin() + " were refused" : " to an anonymous request: set registry.username"
                        + " + registry.passwordFile, or `docker login " + host() + "`"));
            }
            if (response.statusCode() != 200) {
                throw new OciRegistryError(response.statusCode() >= 500 ? OciRegistryError.Kind.TRANSIENT
                        : OciRegistryError.Kind.DENIED, url, "token endpoint " + AuthorizedHttp.redact(realmUrl)
                        + " answered HTTP " + response.statusCode());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            copy(response, body, realmUrl, MAX_SMALL_BODY, out, null);
            JsonNode json = JSON.readTree(out.toByteArray());
            String token = json.path("token").asText(json.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new OciRegistryError(OciRegistryError.Kind.DENIED, url, "token endpoint "
                        + AuthorizedHttp.redact(realmUrl) + " sent no token");
            }
            return token;
        }
    }

    private boolean mayReceiveCredentials(URI realm) {
        String scheme = realm.getScheme() == null ? "" : realm.getScheme().toLowerCase(Locale.ROOT);
        String realmHost = realm.getHost() == null ? "" : realm.getHost().toLowerCase(Locale.ROOT);
        String registryHost = location.apiBase().getHost() == null ? "" : location.apiBase().getHost().toLowerCase(Locale.ROOT);
        return scheme.equals("https") || realmHost.equals(registryHost)
                || realmHost.equals("localhost") || realmHost.startsWith("127.") || realmHost.equals("[::1]");
    }

    private static void requireOk(HttpResponse<?> response, URI url, String what) {
        requireStatus(response, url, what, 200);
    }

    private static void requireStatus(HttpResponse<?> response, URI url, String what, int expected) {
        int status = response.statusCode();
        if (status == expected) {
            return;
        }
        if (status == 404) {
            throw new OciRegistryError(OciRegistryError.Kind.NOT_FOUND, url, what + " not found (HTTP 404)");
        }
        if (status == 401 || status == 403) {
            throw new OciRegistryError(OciRegistryError.Kind.DENIED, url, "access denied to " + what + " (HTTP " + status + ")");
        }
        if (status >= 500 || status == 429) {
            throw new OciRegistryError(OciRegistryError.Kind.TRANSIENT, url, "HTTP " + status + " from registry");
        }
        throw new OciRegistryError(OciRegistryError.Kind.INVALID, url, "unexpected HTTP " + status + " for " + what);
    }

    /** Copies a body to out (and into sha), at most limit bytes, within the request timeout; returns the byte count. */
    private long copy(HttpResponse<?> response, InputStream body, URI url, long limit, OutputStream out,
                      MessageDigest sha) throws IOException {
        try {
            return BoundedBody.copy(body, response.headers().firstValueAsLong("Content-Length"), limit, options.timeout(), out, sha);
        } catch (BoundedBody.TooLarge e) {
            throw new OciRegistryError(OciRegistryError.Kind.INVALID, url, e.getMessage());
        } catch (BoundedBody.Truncated e) {
            throw new OciRegistryError(OciRegistryError.Kind.TRANSIENT, url, e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws IOException, InterruptedException;
    }

    private <T> T withRetries(URI url, Attempt<T> attempt) {
        int attempts = options.retries() + 1;
        long backoff = options.backoff().toMillis();
        RuntimeException last = null;
        for (int i = 1; i <= attempts; i++) {
            try {
                return attempt.run();
            } catch (OciRegistryError e) {
                if (e.kind() != OciRegistryError.Kind.TRANSIENT) {
                    throw e;
                }
                last = e;
            } catch (HttpTimeoutException e) {
                last = new OciRegistryError(OciRegistryError.Kind.TRANSIENT, url,
                        "timed out after " + options.timeout().toMillis() + " ms", e);
            } catch (ConnectException e) {
                last = new OciRegistryError(OciRegistryError.Kind.TRANSIENT, url, "cannot connect to registry "
                        + location.apiBase() + " (" + (e.getMessage() == null ? "connection refused" : e.getMessage()) + ")", e);
            } catch (IOException e) {
                last = new OciRegistryError(OciRegistryError.Kind.TRANSIENT, url, "connection error: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OciRegistryError(OciRegistryError.Kind.TRANSIENT, url, "interrupted", e);
            }
            if (i < attempts) {
                try {
                    Thread.sleep(backoff); // retry backoff, as configured
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new OciRegistryError(OciRegistryError.Kind.TRANSIENT, url, "interrupted while waiting to retry", e);
                }
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
        throw new OciRegistryError(OciRegistryError.Kind.TRANSIENT, url, last.getMessage() + " (gave up after " + attempts
                + (attempts == 1 ? " attempt)" : " attempts)"), last);
    }
}
