package io.ccf.ar.runtime.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;

import io.ccf.ar.runtime.registry.IndexSignature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ar keygen --out DIR}: an Ed25519 key pair for signing static registry indexes. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Write an Ed25519 key pair for signing registry indexes: DIR/<name>.key (PKCS#8 PEM, mode 0600:",
                "give it to `ar publish --sign-key`) and DIR/<name>.pub (X.509 PEM: list it in registry.trustedKeys)."})
final class KeygenCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write the keys to (created if missing).")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "registry-signing",
            description = "Base name of the key files (default: ${DEFAULT-VALUE}).")
    String name;

    @Override
    public Integer call() {
        Path privateFile = out.resolve(name + ".key");
        Path publicFile = out.resolve(name + ".pub");
        if (Files.exists(privateFile) || Files.exists(publicFile)) {
            throw new IllegalArgumentException(privateFile + " or " + publicFile + " exists already; not replacing a key");
        }
        KeyPair pair = IndexSignature.generate();
        try {
            Files.createDirectories(out);
            IndexSignature.writePrivateKey(privateFile, pair.getPrivate());
            IndexSignature.writePublicKey(publicFile, pair.getPublic());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write keys to " + out + ": " + e.getMessage(), e);
        }
        System.out.println("wrote " + privateFile + " (private, keep it secret) and " + publicFile + " (key id "
                + IndexSignature.keyId(pair.getPublic()) + ")");
        return 0;
    }
}
