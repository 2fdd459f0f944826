package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.config.RegistrySettings;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.registry.oci.OciPlatform;
import io.ccf.ar.runtime.testing.OciRegistryFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Credentials against Debian's docker-registry with {@code auth: htpasswd} (bcrypt, made by {@code htpasswd -B}):
 * every request without a valid user name and password is a 401 with a Basic challenge.
 */
class OciAuthTest {
    static final DownloaderOptions FAST = new DownloaderOptions(Duration.ofSeconds(10), 16L * 1024 * 1024, 1, Duration.ofMillis(10));
    static final OciPlatform AMD64 = new OciPlatform("linux", "amd64");
    static final String USER = "ci-user";
    static final String PASSWORD = "s3cret-Pa55-" + Long.toHexString(new Random().nextLong());

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    static OciRegistryFixture registry;
    static URI location;
    static String host;
    static byte[] jar = new byte[4096];

    @BeforeAll
    static void startRegistryAndPublish() throws Exception {
        registry = OciRegistryFixture.startWithHtpasswd(shared, USER, PASSWORD);
        location = registry.location("ccf-plugins");
        host = "127.0.0.1:" + registry.port();
        new Random(7).nextBytes(jar);
        Path src = Files.createDirectories(shared.resolve("src"));
        Files.write(src.resolve("sample.jar"), jar);
        Path passwordFile = Files.writeString(shared.resolve("password"), PASSWORD + "\n");
        RegistrySettings settings = new RegistrySettings(Optional.empty(), USER, Optional.of(passwordFile), Optional.empty(), List.of());
        new OciPackagePublisher(location, FAST, RegistryAccess.from(settings, location, Map.of()))
                .publish(new PackageRef("sample", "1.0.0"), src, Optional.empty());
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    /** Settings and an environment without the machine's own Docker config or PATH. */
    OciPackageSource source(RegistrySettings settings, Map<String, String> env) {
        return new OciPackageSource(location, FAST, AMD64, RegistryAccess.from(settings, location, env));
    }

    RegistrySettings usernameAndPassword(String password) throws Exception {
        Path file = Files.writeString(tmp.resolve("password-" + System.nanoTime()), password + "\n");
        return new RegistrySettings(Optional.empty(), USER, Optional.of(file), Optional.empty(), List.of());
    }

    static RegistrySettings dockerConfig(Path file) {
        return new RegistrySettings(Optional.of(file), "", Optional.empty(), Optional.empty(), List.of());
    }

    void assertFetches(OciPackageSource source) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("fetch-" + System.nanoTime()));
        PackageSource.FetchedPackage fetched = source.fetch(new PackageRef("sample", "1.0.0"), Optional.empty(), dir);
        assertEquals("sample.jar", fetched.file());
        assertArrayEquals(jar, Files.readAllBytes(dir.resolve("sample.jar")));
        assertEquals(List.of("1.0.0"), source.versions("sample"));
    }

    /**
     * The htpasswd registry behind a proxy that sends blob GETs to "object storage" on 127.0.0.2 with a 307, as
     * registries with S3 or GCS storage do; the storage server records the Authorization headers it gets.
     */
    @Test
    void blobsRedirectedToAnotherHostGetNoCredentials() throws Exception {
        java.util.List<String> storageSaw = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.List<String> proxySaw = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer storage = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.2"), 0), 0);
        storage.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            storageSaw.add(auth == null ? "" : auth);
            String digest = exchange.getRequestURI().getPath().substring(1);
            byte[] body = Files.readAllBytes(registry.blobFile(digest));
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        storage.start();
        java.net.http.HttpClient upstream = java.net.http.HttpClient.newBuilder()
                .followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();
        com.sun.net.httpserver.HttpServer proxy = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        proxy.createContext("/", exchange -> {
            try {
                String path = exchange.getRequestURI().getRawPath();
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                proxySaw.add(path + " " + (auth == null ? "" : "auth"));
                if (auth != null && exchange.getRequestMethod().equals("GET") && path.contains("/blobs/sha256:")) {
                    String digest = path.substring(path.indexOf("/blobs/") + 7);
                    exchange.getResponseHeaders().set("Location", "http://127.0.0.2:" + storage.getAddress().getPort()
                            + "/" + digest);
                    exchange.sendResponseHeaders(307, -1);
                    return;
                }
                java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
                        URI.create(registry.httpBase() + exchange.getRequestURI()))
                        .method(exchange.getRequestMethod(), java.net.http.HttpRequest.BodyPublishers.noBody());
                for (String h : List.of("Authorization", "Accept")) {
                    String v = exchange.getRequestHeaders().getFirst(h);
                    if (v != null) {
                        b.header(h, v);
                    }
                }
                java.net.http.HttpResponse<byte[]> r = upstream.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                for (String h : List.of("WWW-Authenticate", "Content-Type", "Docker-Content-Digest")) {
                    r.headers().firstValue(h).ifPresent(v -> exchange.getResponseHeaders().set(h, v));
                }
                boolean head = exchange.getRequestMethod().equals("HEAD") || r.body().length == 0;
                exchange.sendResponseHeaders(r.statusCode(), head ? -1 : r.body().length);
                if (!head) {
                    exchange.getResponseBody().write(r.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
            } finally {
                exchange.close();
            }
        });
        proxy.start();
        try {
            URI viaProxy = URI.create("oci://127.0.0.1:" + proxy.getAddress().getPort() + "/ccf-plugins");
            Path password = Files.writeString(tmp.resolve("password"), PASSWORD + "\n");
            RegistrySettings settings = new RegistrySettings(Optional.empty(), USER, Optional.of(password), Optional.empty(), List.of());
            OciPackageSource source = new OciPackageSource(viaProxy, FAST, AMD64, RegistryAccess.from(settings, viaProxy, Map.of()));
            Path dir = Files.createDirectories(tmp.resolve("via-proxy"));
            source.fetch(new PackageRef("sample", "1.0.0"), Optional.empty(), dir);
            assertArrayEquals(jar, Files.readAllBytes(dir.resolve("sample.jar")));
            assertFalse(storageSaw.isEmpty(), "blobs came from storage");
            assertTrue(storageSaw.stream().allMatch(String::isEmpty), "storage got no credentials: " + storageSaw);
            assertTrue(proxySaw.stream().anyMatch(p -> p.contains("/blobs/sha256:") && p.endsWith(" auth")),
                    "the registry itself got them: " + proxySaw);
        } finally {
            proxy.stop(0);
            storage.stop(0);
        }
    }

    @Test
    void usernameAndPasswordFilePublishListAndFetch() throws Exception {
        assertFetches(source(usernameAndPassword(PASSWORD), Map.of("HOME", tmp.toString())));
    }

    @Test
    void withoutCredentialsTheErrorNamesTheHostAndTheSettings() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("anon"));
        RegistryException e = assertThrows(RegistryException.class, () -> source(RegistrySettings.NONE,
                Map.of("HOME", tmp.toString())).fetch(new PackageRef("sample", "1.0.0"), Optional.empty(), dir));
        assertTrue(e.getMessage().contains("registry host " + host), e.getMessage());
        assertTrue(e.getMessage().contains("registry.username + registry.passwordFile"), e.getMessage());
        assertTrue(e.getMessage().contains("docker login " + host), e.getMessage());
    }

    @Test
    void aWrongPasswordIsRefusedWithoutShowingIt() throws Exception {
        String wrong = "not-the-password-" + System.nanoTime();
        Path dir = Files.createDirectories(tmp.resolve("wrong"));
        RegistryException e = assertThrows(RegistryException.class, () -> source(usernameAndPassword(wrong),
                Map.of("HOME", tmp.toString())).fetch(new PackageRef("sample", "1.0.0"), Optional.empty(), dir));
        assertTrue(e.getMessage().contains("registry host " + host + " refused the credentials from"
                + " registry.username/registry.passwordFile"), e.getMessage());
        assertFalse(e.getMessage().contains(wrong), "no password in the message");
        assertFalse(e.getMessage().contains(Base64.getEncoder().encodeToString((USER + ":" + wrong).getBytes())));
    }

    @Test
    void dockerConfigAuthsEntry() throws Exception {
        String auth = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        Path config = Files.writeString(tmp.resolve("config.json"), """
                {"auths": {"registry.example.com": {"auth": "eDp5"}, "http://%s/v2/": {"auth": "%s"}}}
                """.formatted(host, auth));
        assertFetches(source(dockerConfig(config), Map.of("HOME", tmp.toString())));
    }

    @Test
    void dockerConfigFoundThroughDockerConfigVariable() throws Exception {
        String auth = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        Path dir = Files.createDirectories(tmp.resolve("docker"));
        Files.writeString(dir.resolve("config.json"), "{\"auths\": {\"" + host + "\": {\"auth\": \"" + auth + "\"}}}");
        assertFetches(source(RegistrySettings.NONE, Map.of("DOCKER_CONFIG", dir.toString(), "HOME", tmp.toString())));
    }

    /** docker-credential-test on a PATH of our own: gets the host on stdin, prints Docker's JSON. */
    Path helper(String name, String body) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path script = bin.resolve("docker-credential-" + name);
        Files.writeString(script, "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nread -r host\necho \"$host\" >> "
                + tmp.resolve(name + ".asked") + "\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return bin;
    }

    @Test
    void credentialHelperNamedForTheHost() throws Exception {
        Path bin = helper("test", "printf '{\"ServerURL\":\"%s\",\"Username\":\"" + USER + "\",\"Secret\":\"" + PASSWORD
                + "\"}' \"$host\"\n");
        Path config = Files.writeString(tmp.resolve("config.json"),
                "{\"credHelpers\": {\"" + host + "\": \"test\"}, \"auths\": {\"" + host + "\": {\"auth\": \"eDp5\"}}}");
        assertFetches(source(dockerConfig(config), Map.of("PATH", bin.toString(), "HOME", tmp.toString())));
        assertTrue(Files.readAllLines(tmp.resolve("test.asked")).stream().allMatch(host::equals),
                "the helper was asked for " + host);
    }

    @Test
    void aCredsStoreWithoutTheHostFallsBackToAuths() throws Exception {
        Path bin = helper("store", "echo 'credentials not found in native keychain'\nexit 1\n");
        String auth = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        Path config = Files.writeString(tmp.resolve("config.json"),
                "{\"credsStore\": \"store\", \"auths\": {\"" + host + "\": {\"auth\": \"" + auth + "\"}}}");
        assertFetches(source(dockerConfig(config), Map.of("PATH", bin.toString(), "HOME", tmp.toString())));
        assertTrue(Files.exists(tmp.resolve("store.asked")), "the store was asked first");
    }

    @Test
    void aFailingOrMissingHelperIsAnErrorNamingItAndTheHost() throws Exception {
        Path bin = helper("broken", "echo \"$host " + PASSWORD + "\" >&2\nexit 2\n");
        Path config = Files.writeString(tmp.resolve("config.json"), "{\"credHelpers\": {\"" + host + "\": \"broken\"}}");
        Path dir = Files.createDirectories(tmp.resolve("broken"));
        RegistryException e = assertThrows(RegistryException.class, () -> source(dockerConfig(config),
                Map.of("PATH", bin.toString())).fetch(new PackageRef("sample", "1.0.0"), Optional.empty(), dir));
        assertTrue(e.getMessage().contains("credential helper docker-credential-broken failed for " + host + " (exit 2)"),
                e.getMessage());
        assertFalse(e.getMessage().contains(PASSWORD));

        Path missing = Files.writeString(tmp.resolve("missing.json"), "{\"credHelpers\": {\"" + host + "\": \"nothere\"}}");
        e = assertThrows(RegistryException.class, () -> source(dockerConfig(missing),
                Map.of("PATH", bin.toString())).fetch(new PackageRef("sample", "1.0.0"), Optional.empty(), dir));
        assertTrue(e.getMessage().contains("docker-credential-nothere"), e.getMessage());
        assertTrue(e.getMessage().contains("not on PATH"), e.getMessage());
    }
}
