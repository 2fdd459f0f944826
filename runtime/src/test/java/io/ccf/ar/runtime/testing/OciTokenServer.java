package io.ccf.ar.runtime.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real token server for docker-registry's {@code auth: token}: issues RS256 JWTs (x5c header, the self-signed
 * certificate made by openssl being the registry's rootcertbundle) granting what was asked to a user who logs in
 * with Basic, or who presents the refresh token (OAuth2 POST, Docker's identitytoken); anonymous requests get a
 * token without access. Records how each request authenticated.
 */
public final class OciTokenServer implements AutoCloseable {
    public static final String SERVICE = "ar-test-registry";
    public static final String ISSUER = "ar-test-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final PrivateKey key;
    private final String certificateDer;
    public final Path certificate;
    private final String user;
    private final String password;
    private final String refreshToken;
    /** "basic", "refresh", "anonymous" or "refused", one per token request. */
    public final List<String> requests = new CopyOnWriteArrayList<>();

    public OciTokenServer(Path dir, String user, String password, String refreshToken) throws Exception {
        this.user = user;
        this.password = password;
        this.refreshToken = refreshToken;
        Path keyFile = dir.resolve("token-key.pem");
        certificate = dir.resolve("token-cert.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                keyFile.toString(), "-out", certificate.toString(), "-days", "2", "-subj", "/CN=ar-test-token")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openssl failed: " + out);
        }
        String pem = Files.readString(keyFile);
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certificate)));
        certificateDer = Base64.getEncoder().encodeToString(cert.getEncoded());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::handle);
        server.start();
    }

    public URI realm() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
    }

    /** The registry's {@code auth:} section for this server. */
    public String registryAuthSection() {
        return """
                auth:
                  token:
                    realm: %s
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(realm(), SERVICE, ISSUER, certificate);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            Map<String, String> params = new LinkedHashMap<>(parse(exchange.getRequestURI().getRawQuery()));
            if (exchange.getRequestMethod().equals("POST")) {
                params.putAll(parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            }
            String subject;
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if ("refresh_token".equals(params.get("grant_type"))) {
                if (!refreshToken.equals(params.get("refresh_token"))) {
                    requests.add("refused");
                    send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
                    return;
                }
                requests.add("refresh");
                subject = user;
            } else if (auth != null) {
                String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
                if (!expected.equals(auth)) {
                    requests.add("refused");
                    send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
                    return;
                }
                requests.add("basic");
                subject = user;
            } else {
                requests.add("anonymous");
                subject = "";
            }
            String token = jwt(subject, subject.isEmpty() ? null : params.get("scope"));
            send(exchange, 200, JSON.writeValueAsString(Map.of("token", token, "access_token", token, "expires_in", 300)));
        } catch (Exception e) {
            send(exchange, 500, "{}");
        } finally {
            exchange.close();
        }
    }

    private String jwt(String subject, String scope) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        ObjectNode header = JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT");
        header.putArray("x5c").add(certificateDer);
        ObjectNode claims = JSON.createObjectNode().put("iss", ISSUER).put("sub", subject).put("aud", SERVICE)
                .put("exp", now + 300).put("nbf", now - 10).put("iat", now).put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        if (scope != null) {
            for (String one : scope.split(" ")) {
                int first = one.indexOf(':');
                int last = one.lastIndexOf(':');
                if (first > 0 && last > first) {
                    ObjectNode a = access.addObject().put("type", one.substring(0, first)).put("name", one.substring(first + 1, last));
                    ArrayNode actions = a.putArray("actions");
                    for (String action : one.substring(last + 1).split(",")) {
                        actions.add(action);
                    }
                }
            }
        }
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + b64.encodeToString(JSON.writeValueAsBytes(claims));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(s.sign());
    }

    private static Map<String, String> parse(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.merge(k, v, (a, b) -> a + " " + b); // several scope= parameters
        }
        return params;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
