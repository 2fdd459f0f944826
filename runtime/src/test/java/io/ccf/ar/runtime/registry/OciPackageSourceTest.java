package io.ccf.ar.runtime.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.registry.oci.OciDescriptor;
import io.ccf.ar.runtime.registry.oci.OciDigest;
import io.ccf.ar.runtime.registry.oci.OciLocation;
import io.ccf.ar.runtime.registry.oci.OciMediaTypes;
import io.ccf.ar.runtime.registry.oci.OciPlatform;
import io.ccf.ar.runtime.registry.oci.RegistryClient;
import io.ccf.ar.runtime.testing.OciRegistryFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Against a real registry process (Debian's docker-registry): publish with our publisher, fetch with our source. */
@Timeout(120)
class OciPackageSourceTest {
    static final DownloaderOptions FAST = new DownloaderOptions(Duration.ofSeconds(10), 64L * 1024 * 1024, 2, Duration.ofMillis(10));
    static final OciPlatform AMD64 = new OciPlatform("linux", "amd64");
    static final OciPlatform ARM64 = new OciPlatform("linux", "arm64");

    @TempDir
    static Path shared;
    static OciRegistryFixture registry;
    static URI location;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startRegistry() {
        registry = OciRegistryFixture.start(shared);
        location = registry.location("ccf-plugins");
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    OciPackageSource source(OciPlatform platform) {
        return new OciPackageSource(location, FAST, platform);
    }

    OciPackagePublisher publisher() {
        return new OciPackagePublisher(location, FAST);
    }

    /** A version directory holding {@code <name>.jar} with the given bytes. */
    Path jarDir(String name, byte[] content) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("src-" + name + "-" + System.nanoTime()));
        Files.write(dir.resolve(name + ".jar"), content);
        return dir;
    }

    Path emptyDir() throws Exception {
        return Files.createDirectories(tmp.resolve("fetch-" + System.nanoTime()));
    }

    static String sha256Hex(byte[] b) {
        return OciDigest.of(b).substring("sha256:".length());
    }

    @Test
    void sampleJarPublishedThenFetchedByTagAndByDigest() throws Exception {
        byte[] jar = Files.readAllBytes(TestPackages.sampleJar());
        Path src = jarDir("sample", jar);
        Files.writeString(src.resolve("NOTICE"), "extra files travel along\n");
        PackageRef ref = new PackageRef("sample", "1.0.0");
        String digest = publisher().publish(ref, src, Optional.empty());
        assertTrue(OciDigest.isDigest(digest), digest);

        Path byTag = emptyDir();
        PackageSource.FetchedPackage fetched = source(AMD64).fetch(ref, Optional.empty(), byTag);
        assertEquals("sample.jar", fetched.file());
        assertArrayEquals(jar, Files.readAllBytes(byTag.resolve("sample.jar")));
        assertEquals(sha256Hex(jar), fetched.sha256());
        assertEquals(digest, fetched.digest());
        assertEquals(URI.create("oci://127.0.0.1:" + registry.port() + "/ccf-plugins/sample:1.0.0"), fetched.source());
        assertEquals("extra files travel along\n", Files.readString(byTag.resolve("NOTICE")));
        assertEquals(List.of("NOTICE", "sample.jar"), listing(byTag), "no download leftovers");

        Path byDigest = emptyDir();
        PackageSource.FetchedPackage pinned = source(AMD64).fetch(ref, Optional.of(digest), byDigest);
        assertArrayEquals(jar, Files.readAllBytes(byDigest.resolve("sample.jar")));
        assertEquals(digest, pinned.digest());
        assertEquals(URI.create("oci://127.0.0.1:" + registry.port() + "/ccf-plugins/sample@" + digest), pinned.source());

        // publishing the same files again gives the same digest: layers are reproducible
        assertEquals(digest, publisher().publish(ref, src, Optional.empty()));
    }

    @Test
    void executablePackageIsMadeExecutable() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("native"));
        Files.writeString(src.resolve("native"), "#!/bin/sh\necho hi\n");
        assertTrue(src.resolve("native").toFile().setExecutable(true));
        PackageRef ref = new PackageRef("native", "2.0.0");
        publisher().publish(ref, src, Optional.empty());
        Path dir = emptyDir();
        PackageSource.FetchedPackage fetched = source(AMD64).fetch(ref, Optional.empty(), dir);
        assertEquals("native", fetched.file());
        assertTrue(Files.isExecutable(dir.resolve("native")));
    }

    @Test
    void wrongOrMalformedPinnedDigestRefused() throws Exception {
        PackageRef ref = new PackageRef("pinned", "1.0.0");
        publisher().publish(ref, jarDir("pinned", bytes("v1")), Optional.empty());
        String other = OciDigest.of(bytes("something else"));
        RegistryException e = assertThrows(RegistryException.class,
                () -> source(AMD64).fetch(ref, Optional.of(other), emptyDirUnchecked()));
        assertContains(e.getMessage(), "package pinned version 1.0.0", other, "not found");

        RegistryException bad = assertThrows(RegistryException.class,
                () -> source(AMD64).fetch(ref, Optional.of("sha256:abc"), emptyDirUnchecked()));
        assertContains(bad.getMessage(), "pinned digest \"sha256:abc\" is not a digest");
    }

    @Test
    void blobCorruptedInRegistryStorageIsRefused() throws Exception {
        PackageRef ref = new PackageRef("corrupt", "1.0.0");
        publisher().publish(ref, jarDir("corrupt", bytes("genuine plugin bytes")), Optional.empty());
        OciDescriptor layer = layerOf("ccf-plugins/corrupt", "1.0.0");
        Path blob = registry.blobFile(layer.digest());
        byte[] garbage = new byte[(int) Files.size(blob)];
        java.util.Arrays.fill(garbage, (byte) 'x');
        Files.write(blob, garbage);

        Path dir = emptyDir();
        RegistryException e = assertThrows(RegistryException.class, () -> source(AMD64).fetch(ref, Optional.empty(), dir));
        assertContains(e.getMessage(), "package corrupt version 1.0.0", "digest mismatch", layer.digest(),
                "/v2/ccf-plugins/corrupt/blobs/");
        assertEquals(List.of(), listing(dir), "nothing usable left");
    }

    @Test
    void unknownTagIs404NamingPackageVersionAndUrl() {
        RegistryException e = assertThrows(RegistryException.class,
                () -> source(AMD64).fetch(new PackageRef("sample", "9.9.9"), Optional.empty(), emptyDirUnchecked()));
        assertContains(e.getMessage(), "package sample version 9.9.9", "not found", "404",
                "http://127.0.0.1:" + registry.port() + "/v2/ccf-plugins/sample/manifests/9.9.9");
    }

    @Test
    void registryDownGivesClearErrorAfterRetries() {
        int port = OciRegistryFixture.freePort();
        OciPackageSource down = new OciPackageSource(URI.create("oci://127.0.0.1:" + port + "/ccf-plugins"), FAST, AMD64);
        RegistryException e = assertThrows(RegistryException.class,
                () -> down.fetch(new PackageRef("sample", "1.0.0"), Optional.empty(), emptyDirUnchecked()));
        assertContains(e.getMessage(), "package sample version 1.0.0", "cannot connect to registry http://127.0.0.1:" + port,
                "gave up after 3 attempts");
    }

    @Test
    void imageIndexPicksThisPlatformOrSaysWhatItOffers() throws Exception {
        PackageRef ref = new PackageRef("multi", "1.0.0");
        publisher().publish(ref, jarDir("multi", bytes("built for amd64")), Optional.of(AMD64));
        String indexDigest = publisher().publish(ref, jarDir("multi", bytes("built for arm64")), Optional.of(ARM64));

        Path amd = emptyDir();
        PackageSource.FetchedPackage onAmd = source(AMD64).fetch(ref, Optional.empty(), amd);
        assertEquals("built for amd64", Files.readString(amd.resolve("multi.jar")));
        assertEquals(indexDigest, onAmd.digest(), "the pin is the digest the tag names");
        Path arm = emptyDir();
        source(ARM64).fetch(ref, Optional.of(indexDigest), arm);
        assertEquals("built for arm64", Files.readString(arm.resolve("multi.jar")));

        PackageRef only = new PackageRef("mainframe", "1.0.0");
        publisher().publish(only, jarDir("mainframe", bytes("s390x")), Optional.of(new OciPlatform("linux", "s390x")));
        RegistryException e = assertThrows(RegistryException.class,
                () -> source(AMD64).fetch(only, Optional.empty(), emptyDirUnchecked()));
        assertContains(e.getMessage(), "package mainframe version 1.0.0", "no manifest for this platform linux/amd64",
                "offers: linux/s390x");
    }

    @Test
    void layerWithParentDirectoryEntryIsRefused() throws Exception {
        PackageRef ref = new PackageRef("evil", "1.0.0");
        pushRawLayer("ccf-plugins/evil", "1.0.0", tarGz(Map.of("evil.jar", bytes("ok"), "../evil", bytes("escaped"))),
                Map.of(OciMediaTypes.ANNOTATION_UNPACK, "true"));
        Path parent = Files.createDirectories(tmp.resolve("parent"));
        Path dir = Files.createDirectories(parent.resolve("1.0.0"));
        RegistryException e = assertThrows(RegistryException.class, () -> source(AMD64).fetch(ref, Optional.empty(), dir));
        assertContains(e.getMessage(), "package evil version 1.0.0", "refusing layer", "\"../evil\" contains '..'");
        assertFalse(Files.exists(parent.resolve("evil")), "nothing written outside the version directory");
    }

    @Test
    void artifactWithoutPackageFileIsRefused() throws Exception {
        PackageRef ref = new PackageRef("hollow", "1.0.0");
        pushRawLayer("ccf-plugins/hollow", "1.0.0", tarGz(Map.of("README", bytes("no plugin here"))),
                Map.of(OciMediaTypes.ANNOTATION_UNPACK, "true"));
        RegistryException e = assertThrows(RegistryException.class,
                () -> source(AMD64).fetch(ref, Optional.empty(), emptyDirUnchecked()));
        assertContains(e.getMessage(), "artifact holds no hollow or hollow.jar (it holds: README)");
    }

    @Test
    void layerLargerThanTheLimitWhenUnpackedIsRefused() throws Exception {
        PackageRef ref = new PackageRef("bomb", "1.0.0");
        pushRawLayer("ccf-plugins/bomb", "1.0.0", tarGz(Map.of("bomb.jar", new byte[2 * 1024 * 1024])),
                Map.of(OciMediaTypes.ANNOTATION_UNPACK, "true"));
        OciPackageSource small = new OciPackageSource(location, FAST.withMaxBodyBytes(1024 * 1024), AMD64);
        RegistryException e = assertThrows(RegistryException.class,
                () -> small.fetch(ref, Optional.empty(), emptyDirUnchecked()));
        assertContains(e.getMessage(), "unpacks to more than the limit of 1048576 bytes");
    }

    @Test
    void versionsListsPushedTags() throws Exception {
        publisher().publish(new PackageRef("listed", "1.0.0"), jarDir("listed", bytes("a")), Optional.empty());
        publisher().publish(new PackageRef("listed", "1.1.0"), jarDir("listed", bytes("b")), Optional.empty());
        assertEquals(List.of("1.0.0", "1.1.0"), source(AMD64).versions("listed").stream().sorted().toList());

        RegistryException e = assertThrows(RegistryException.class, () -> source(AMD64).versions("never-published"));
        assertContains(e.getMessage(), "never-published", "not found");
    }

    @Test
    void serverErrorsAreRetriedThenReported() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        HttpServer broken = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        broken.createContext("/", exchange -> {
            hits.incrementAndGet();
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        broken.start();
        try {
            OciPackageSource source = new OciPackageSource(
                    URI.create("oci://127.0.0.1:" + broken.getAddress().getPort() + "/ccf-plugins"), FAST, AMD64);
            RegistryException e = assertThrows(RegistryException.class,
                    () -> source.fetch(new PackageRef("sample", "1.0.0"), Optional.empty(), emptyDirUnchecked()));
            assertContains(e.getMessage(), "package sample version 1.0.0", "HTTP 503 from registry", "gave up after 3 attempts",
                    "/v2/ccf-plugins/sample/manifests/1.0.0");
            assertEquals(3, hits.get(), "one attempt and two retries");
        } finally {
            broken.stop(0);
        }
    }

    @Test
    void registryWantingCredentialsIsDeniedClearly() throws Exception {
        HttpServer guarded = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        guarded.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"registry\"");
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        guarded.start();
        try {
            OciPackageSource source = new OciPackageSource(
                    URI.create("oci://127.0.0.1:" + guarded.getAddress().getPort() + "/ccf-plugins"), FAST, AMD64);
            RegistryException e = assertThrows(RegistryException.class,
                    () -> source.fetch(new PackageRef("sample", "1.0.0"), Optional.empty(), emptyDirUnchecked()));
            assertContains(e.getMessage(), "package sample version 1.0.0", "HTTP 401",
                    "registry host 127.0.0.1:" + guarded.getAddress().getPort() + " wants a user name and password (Basic)",
                    "set registry.username + registry.passwordFile");
        } finally {
            guarded.stop(0);
        }
    }

    @Test
    void schemeRuleLoopbackIsPlainHttpElsewhereHttps() {
        assertEquals(URI.create("http://localhost:5000"), OciLocation.parse(URI.create("oci://localhost:5000/ccf-plugins")).apiBase());
        assertEquals(URI.create("http://[::1]:5000"), OciLocation.parse(URI.create("oci://[::1]:5000/x")).apiBase());
        assertEquals(URI.create("https://registry.example.com"), OciLocation.parse(URI.create("oci://registry.example.com/ccf")).apiBase());
        assertEquals(URI.create("http://registry.lan:5000"), OciLocation.parse(URI.create("oci+http://registry.lan:5000/ccf")).apiBase());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OciLocation.parse(URI.create("oci://host/Upper/Case")));
        assertContains(e.getMessage(), "not a valid repository path");
    }

    // ---- helpers ----

    /** Pushes a hand-made layer as the only layer of a manifest tagged {@code tag}. */
    void pushRawLayer(String repository, String tag, byte[] layer, Map<String, String> annotations) throws Exception {
        RegistryClient client = new RegistryClient(OciLocation.parse(location), FAST);
        byte[] config = bytes("{}");
        OciDescriptor configDesc = new OciDescriptor(OciMediaTypes.OCI_EMPTY, OciDigest.of(config), config.length);
        OciDescriptor layerDesc = new OciDescriptor(OciMediaTypes.LAYER_TAR_GZIP, OciDigest.of(layer), layer.length);
        client.pushBlob(repository, configDesc, () -> HttpRequest.BodyPublishers.ofByteArray(config));
        client.pushBlob(repository, layerDesc, () -> HttpRequest.BodyPublishers.ofByteArray(layer));
        ObjectMapper json = new ObjectMapper();
        ObjectNode m = json.createObjectNode().put("schemaVersion", 2).put("mediaType", OciMediaTypes.OCI_MANIFEST);
        m.putObject("config").put("mediaType", configDesc.mediaType()).put("digest", configDesc.digest()).put("size", config.length);
        ObjectNode l = m.putArray("layers").addObject().put("mediaType", layerDesc.mediaType())
                .put("digest", layerDesc.digest()).put("size", layer.length);
        ObjectNode a = l.putObject("annotations");
        annotations.forEach(a::put);
        client.pushManifest(repository, tag, OciMediaTypes.OCI_MANIFEST, json.writeValueAsBytes(m));
    }

    OciDescriptor layerOf(String repository, String tag) throws Exception {
        RegistryClient client = new RegistryClient(OciLocation.parse(location), FAST);
        var layer = client.manifest(repository, tag).json().path("layers").get(0);
        return new OciDescriptor(layer.path("mediaType").asText(), layer.path("digest").asText(), layer.path("size").asLong());
    }

    /** A tar.gz written by hand, so it can hold names no honest tool writes. */
    static byte[] tarGz(Map<String, byte[]> entries) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            for (var e : entries.entrySet()) {
                byte[] h = new byte[512];
                byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                System.arraycopy(name, 0, h, 0, name.length);
                put(h, 100, "0000644");
                put(h, 108, "0000000");
                put(h, 116, "0000000");
                put(h, 124, String.format("%011o", e.getValue().length));
                put(h, 136, "00000000000");
                h[156] = '0';
                put(h, 257, "ustar");
                put(h, 263, "00");
                java.util.Arrays.fill(h, 148, 156, (byte) ' ');
                int sum = 0;
                for (byte b : h) {
                    sum += b & 0xff;
                }
                put(h, 148, String.format("%06o", sum));
                h[154] = 0;
                gz.write(h);
                gz.write(e.getValue());
                gz.write(new byte[(512 - e.getValue().length % 512) % 512]);
            }
            gz.write(new byte[1024]);
        }
        return bytes.toByteArray();
    }

    static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    Path emptyDirUnchecked() {
        try {
            return emptyDir();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "expected \"" + part + "\" in: " + message);
        }
    }
}
