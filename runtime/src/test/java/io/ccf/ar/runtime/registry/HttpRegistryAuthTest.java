package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.config.RegistrySettings;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.testing.TestRegistryServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Static registries with Basic or a bearer token, and what happens to the header across redirects (real JDK servers). */
class HttpRegistryAuthTest {
    static final DownloaderOptions FAST = new DownloaderOptions(Duration.ofSeconds(5), 1024 * 1024, 0, Duration.ofMillis(10));
    static final String PASSWORD = "pw-" + System.nanoTime();
    static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    static final byte[] JAR = "jar bytes for the auth test".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;
    TestRegistryServer server;
    TestRegistryServer storage;

    @BeforeEach
    void start() throws Exception {
        server = new TestRegistryServer(Files.createDirectories(tmp.resolve("registry")));
        server.publish("sample", "1.0.0", "sample.jar", JAR);
    }

    @AfterEach
    void stop() {
        server.close();
        if (storage != null) {
            storage.close();
        }
    }

    RegistrySettings basic(String password) throws Exception {
        Path file = Files.writeString(tmp.resolve("password-" + System.nanoTime()), password + "\n");
        return new RegistrySettings(Optional.empty(), "alice", Optional.of(file), Optional.empty(), List.of());
    }

    HttpPackageSource source(RegistrySettings settings) {
        return new HttpPackageSource(server.uri(), FAST, null, RegistryAccess.from(settings, server.uri(), Map.of()));
    }

    PackageSource.FetchedPackage fetch(HttpPackageSource source) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("fetch-" + System.nanoTime()));
        PackageSource.FetchedPackage fetched = source.fetch(new PackageRef("sample", "1.0.0"), Optional.empty(), dir);
        assertArrayEquals(JAR, Files.readAllBytes(dir.resolve(fetched.file())));
        return fetched;
    }

    @Test
    void basicAuthFromUsernameAndPasswordFile() throws Exception {
        server.requireAuthorization(BASIC);
        fetch(source(basic(PASSWORD)));
        assertTrue(server.authorizations.stream().allMatch(a -> a.endsWith(" " + BASIC)), server.authorizations.toString());
    }

    @Test
    void bearerTokenFromTokenFile() throws Exception {
        String token = "tok-" + System.nanoTime();
        server.requireAuthorization("Bearer " + token);
        Path file = Files.writeString(tmp.resolve("token"), token + "\n");
        fetch(source(new RegistrySettings(Optional.empty(), "", Optional.empty(), Optional.of(file), List.of())));
    }

    @Test
    void missingOrRefusedCredentialsNameTheHostAndTheSettingButNotTheSecret() throws Exception {
        server.requireAuthorization(BASIC);
        String host = server.uri().getHost() + ":" + server.uri().getPort();
        RegistryException none = assertThrows(RegistryException.class, () -> fetch(source(RegistrySettings.NONE)));
        assertTrue(none.getMessage().contains("HTTP 401 from registry host " + host + ": it wants credentials; set"
                + " registry.username + registry.passwordFile or registry.tokenFile"), none.getMessage());
        String wrong = "wrong-" + System.nanoTime();
        RegistryException refused = assertThrows(RegistryException.class, () -> fetch(source(basic(wrong))));
        assertTrue(refused.getMessage().contains("the credentials from registry.username/registry.passwordFile were refused"),
                refused.getMessage());
        assertFalse(refused.getMessage().contains(wrong));
        assertEquals(2, server.total.get(), "a 401 is not retried");
    }

    @Test
    void aRedirectToAnotherHostGoesWithoutTheAuthorizationHeader() throws Exception {
        server.requireAuthorization(BASIC);
        // 127.0.0.2 is loopback too, but another host to the client
        storage = new TestRegistryServer(Files.createDirectories(tmp.resolve("storage")), InetAddress.getByName("127.0.0.2"));
        Files.write(storage.root.resolve("blob"), JAR);
        server.override("/sample/1.0.0/sample.jar", exchange -> {
            exchange.getResponseHeaders().set("Location", storage.uri().resolve("blob?X-Signature=abc").toString());
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        // a redirect on the same origin keeps it (the server wants it for every path)
        Files.createDirectories(server.root.resolve("mirror"));
        Files.copy(server.root.resolve("sample/1.0.0/sample.jar.sha256"), server.root.resolve("mirror/sample.jar.sha256"));
        server.override("/sample/1.0.0/sample.jar.sha256", exchange -> {
            exchange.getResponseHeaders().set("Location", "/mirror/sample.jar.sha256");
            exchange.sendResponseHeaders(307, -1);
            exchange.close();
        });

        fetch(source(basic(PASSWORD)));

        assertEquals(List.of("/blob "), storage.authorizations, "the storage host got no Authorization");
        assertEquals(List.of("/sample/1.0.0/sample " + BASIC, "/sample/1.0.0/sample.jar " + BASIC,
                "/sample/1.0.0/sample.jar.sha256 " + BASIC, "/mirror/sample.jar.sha256 " + BASIC), server.authorizations);
    }

    @Test
    void aRedirectToAnotherPortOfTheSameHostGoesWithoutItToo() throws Exception {
        server.requireAuthorization(BASIC);
        storage = new TestRegistryServer(Files.createDirectories(tmp.resolve("storage")));
        Files.write(storage.root.resolve("blob"), JAR);
        server.override("/sample/1.0.0/sample.jar", exchange -> {
            exchange.getResponseHeaders().set("Location", storage.uri().resolve("blob").toString());
            exchange.sendResponseHeaders(301, -1);
            exchange.close();
        });
        fetch(source(basic(PASSWORD)));
        assertEquals(List.of("/blob "), storage.authorizations);
    }

    @Test
    void aRedirectLoopEnds() throws Exception {
        server.override("/sample/1.0.0/sample", exchange -> {
            exchange.getResponseHeaders().set("Location", "/sample/1.0.0/sample");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        RegistryException e = assertThrows(RegistryException.class, () -> fetch(source(RegistrySettings.NONE)));
        assertTrue(e.getMessage().contains("more than 10 redirects"), e.getMessage());
    }
}
