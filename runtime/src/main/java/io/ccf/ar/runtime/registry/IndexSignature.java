package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.json.JsonMappers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Ed25519 signatures over a static registry's {@code <package>/index.json}, in {@code <package>/index.json.sig}:
 * <pre>{@code {"algorithm": "Ed25519", "keyId": "sha256:<hex of the public key's X.509 DER>",
 *  "signature": "<base64 of the signature over the exact bytes of index.json>"}}</pre>
 * Keys are PEM: the private key PKCS#8 ({@code PRIVATE KEY}), the public key X.509 ({@code PUBLIC KEY}), as
 * {@code ar keygen} writes them and {@code openssl genpkey -algorithm ed25519} / {@code openssl pkey -pubout} do.
 */
public final class IndexSignature {
    public static final String SIGNATURE_FILE = StaticRegistryTree.INDEX_FILE + ".sig";
    public static final String ALGORITHM = "Ed25519";
    private static final ObjectMapper JSON = JsonMappers.COMPACT;
    private static final int MAX_KEY_FILE = 16 * 1024;

    private IndexSignature() {
    }

    /** The public keys a runtime trusts, each with its id. */
    public record TrustedKey(String keyId, PublicKey key, Path file) {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no Ed25519", e);
        }
    }

    public static String keyId(PublicKey key) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The content of index.json.sig for these index bytes. */
    public static byte[] sign(byte[] index, PrivateKey privateKey, PublicKey publicKey) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(privateKey);
            s.update(index);
            ObjectNode node = JSON.createObjectNode();
            node.put("algorithm", ALGORITHM);
            node.put("keyId", keyId(publicKey));
            node.put("signature", Base64.getEncoder().encodeToString(s.sign()));
            return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot sign index: " + e.getMessage(), e);
        }
    }

    /**
     * Checks sigFile over index against the trusted keys; returns the key that signed it, or throws
     * IllegalArgumentException saying what is wrong (malformed, unknown key, bad signature).
     */
    public static TrustedKey verify(byte[] index, byte[] sigFile, List<TrustedKey> trusted) {
        JsonNode node;
        try {
            node = JSON.readTree(sigFile);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed " + SIGNATURE_FILE + " (not JSON)");
        }
        if (node == null || !ALGORITHM.equals(node.path("algorithm").asText())) {
            throw new IllegalArgumentException(SIGNATURE_FILE + " is not an " + ALGORITHM + " signature");
        }
        String keyId = node.path("keyId").asText("");
        Optional<TrustedKey> key = trusted.stream().filter(k -> k.keyId().equals(keyId)).findFirst();
        if (key.isEmpty()) {
            throw new IllegalArgumentException("index signed by key " + keyId + ", which is not among registry.trustedKeys");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(node.path("signature").asText(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed " + SIGNATURE_FILE + " (signature is not base64)");
        }
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key.get().key());
            s.update(index);
            if (!s.verify(signature)) {
                throw new IllegalArgumentException("bad signature: index.json does not match " + SIGNATURE_FILE
                        + " by trusted key " + keyId + " (" + key.get().file() + ")");
            }
        } catch (java.security.SignatureException e) {
            throw new IllegalArgumentException("bad signature: " + SIGNATURE_FILE + " by key " + keyId + " is malformed");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return key.get();
    }

    // ---- PEM ----

    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, pem("PRIVATE KEY", key.getEncoded()));
    }

    public static void writePublicKey(Path file, PublicKey key) throws IOException {
        Files.writeString(file, pem("PUBLIC KEY", key.getEncoded()));
    }

    public static PrivateKey readPrivateKey(Path file) {
        byte[] der = unpem(file, "PRIVATE KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": not an Ed25519 private key (PKCS#8)");
        }
    }

    public static PublicKey readPublicKey(Path file) {
        byte[] der = unpem(file, "PUBLIC KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": not an Ed25519 public key (X.509 PEM)");
        }
    }

    /** The public half of an Ed25519 private key (JDK 17 has no direct way: re-derive through the PKCS#8 seed). */
    public static PublicKey publicKeyOf(PrivateKey key) {
        try {
            var edKey = (java.security.interfaces.EdECPrivateKey) key;
            byte[] seed = edKey.getBytes().orElseThrow();
            KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
            g.initialize(java.security.spec.NamedParameterSpec.ED25519, new FixedRandom(seed));
            return g.generateKeyPair().getPublic();
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("not an Ed25519 private key", e);
        }
    }

    public static TrustedKey trustedKey(Path file) {
        PublicKey key = readPublicKey(file);
        return new TrustedKey(keyId(key), key, file);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] unpem(Path file, String type) {
        String text;
        try {
            if (Files.size(file) > MAX_KEY_FILE) {
                throw new IllegalArgumentException(file + ": too large for a key file");
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key file " + file + ": " + e.getClass().getSimpleName());
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException(file + ": no \"" + begin + "\" block");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(file + ": PEM block is not base64");
        }
    }

    /** Hands the key generator the seed as its "random" bytes, so it re-derives the same key pair. */
    private static final class FixedRandom extends java.security.SecureRandom {
        private final byte[] seed;

        FixedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
        }
    }
}
