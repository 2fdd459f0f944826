package io.ccf.ar.runtime.registry.auth;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Sends GET/HEAD requests and follows redirects itself, so that an {@code Authorization} header goes only to the
 * origin (scheme, host and port) it was meant for: a redirect to another origin (a blob in object storage, a
 * mirror, a hostile server) is followed without it, and a redirect back does not get it again. The
 * {@link HttpClient} must not follow redirects itself ({@link HttpClient.Redirect#NEVER}).
 */
public final class AuthorizedHttp {
    public static final int MAX_REDIRECTS = 10;

    private AuthorizedHttp() {
    }

    /** The response, with the URL it came from after redirects. */
    public record Response(HttpResponse<InputStream> response, URI url) {
    }

    /** A client for {@link #send}: redirects are ours to follow. */
    public static HttpClient newClient(java.time.Duration connectTimeout) {
        return HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Sends {@code request(url)}, adding {@code authorization} (when present) only while the URL has the origin of
     * {@code url}; redirects of GET and HEAD (301, 302, 303, 307, 308) are followed up to {@link #MAX_REDIRECTS}.
     * Other methods get a redirect back as the response.
     */
    public static Response send(HttpClient client, URI url, String method, Function<URI, HttpRequest.Builder> request,
                                Optional<String> authorization) throws IOException, InterruptedException {
        Objects.requireNonNull(authorization, "authorization");
        if (client.followRedirects() != HttpClient.Redirect.NEVER && authorization.isPresent()) {
            throw new IllegalStateException("an HttpClient that follows redirects itself could carry credentials to"
                    + " another host; use Redirect.NEVER");
        }
        URI current = url;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b = request.apply(current);
            if (authorization.isPresent() && sameOrigin(url, current)) {
                b.header("Authorization", authorization.get());
            }
            HttpResponse<InputStream> response = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            int status = response.statusCode();
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            if (!redirect || !(method.equals("GET") || method.equals("HEAD"))) {
                return new Response(response, current);
            }
            Optional<String> location = response.headers().firstValue("Location");
            response.body().close();
            if (location.isEmpty()) {
                throw new IOException("HTTP " + status + " redirect without Location from " + redact(current));
            }
            if (hop + 1 > MAX_REDIRECTS) {
                throw new IOException("more than " + MAX_REDIRECTS + " redirects, starting at " + redact(url));
            }
            URI next;
            try {
                next = current.resolve(location.get().strip());
            } catch (IllegalArgumentException e) {
                throw new IOException("HTTP " + status + " redirect to an invalid Location from " + redact(current));
            }
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IOException("HTTP " + status + " redirect to a non-HTTP location from " + redact(current));
            }
            current = next;
        }
    }

    /** Same scheme, host (case-insensitive) and port (defaults filled in). */
    public static boolean sameOrigin(URI a, URI b) {
        return scheme(a).equals(scheme(b)) && host(a).equals(host(b)) && port(a) == port(b);
    }

    private static String scheme(URI u) {
        return u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    }

    private static String host(URI u) {
        return u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equals(scheme(u)) ? 443 : 80;
    }

    /** A URL for messages: without user info and query (pre-signed storage URLs carry credentials in the query). */
    public static String redact(URI u) {
        if (u == null) {
            return "";
        }
        return scheme(u) + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "") + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    /** {@code host} or {@code host:port} as in the URL, lower-case: the key credentials are looked up by. */
    public static String hostKey(URI u) {
        return host(u) + (u.getPort() >= 0 ? ":" + u.getPort() : "");
    }
}
