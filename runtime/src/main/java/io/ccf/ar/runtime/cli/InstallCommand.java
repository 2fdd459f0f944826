package io.ccf.ar.runtime.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.ccf.ar.runtime.app.LoadedRuntime;
import io.ccf.ar.runtime.app.PackageProvisioner;
import io.ccf.ar.runtime.config.RegistrySettings;
import io.ccf.ar.runtime.config.RuntimeConfig;
import io.ccf.ar.runtime.registry.InstalledPackage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ar install PACKAGE@VERSION}: fetch, verify and install one package version. */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = {"Download PACKAGE@VERSION from the plugin registry, verify its SHA-256 and install it",
                "into pluginsDir (recorded in plugins.lock). An installed, verified version is not fetched again."})
final class InstallCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "PACKAGE@VERSION")
    String target;

    @Option(names = "--registry", paramLabel = "URL", description = "Registry base URL (default: pluginRegistryURL from the config).")
    String registry;

    @Option(names = "--username", paramLabel = "USER", description = "Registry user name (with --password-file); overrides registry.username.")
    String username;

    @Option(names = "--password-file", paramLabel = "FILE", description = "File holding the registry password; overrides registry.passwordFile.")
    Path passwordFile;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Static registries: file holding a bearer token; overrides registry.tokenFile.")
    Path tokenFile;

    @Option(names = "--docker-config", paramLabel = "FILE", description = "OCI: Docker config.json with credentials; overrides registry.dockerConfig.")
    Path dockerConfig;

    @Option(names = "--trusted-key", paramLabel = "FILE",
            description = "Ed25519 public key the static registry's index must be signed with (repeatable); replaces registry.trustedKeys.")
    List<Path> trustedKeys;

    @Override
    public Integer call() {
        PackageTarget wanted = PackageTarget.parse(target); // VERSION may be a range (^1.2) or pinned (1.0.0@sha256:<hex>)
        RuntimeConfig config = common.load(System.getenv()).config();
        if (registry != null) {
            config = new RuntimeConfig(config.configFile(), config.runtimeId(), config.controlPlaneURL(), registry,
                    config.eventBusURL(), config.pluginsDir(), config.assessmentsDir(), config.logFormat(),
                    config.pluginHost(), config.execution(), config.nats(), config.plugins(), config.timeZone(),
                    config.plans(), config.registry());
        }
        if ((username == null) != (passwordFile == null)) {
            throw new IllegalArgumentException("--username and --password-file go together");
        }
        if (username != null || tokenFile != null || dockerConfig != null || trustedKeys != null) {
            RegistrySettings r = config.registry();
            boolean ownCredentials = username != null || tokenFile != null;
            r = new RegistrySettings(dockerConfig != null ? Optional.of(dockerConfig) : r.dockerConfig(),
                    ownCredentials ? (username == null ? "" : username) : r.username(),
                    ownCredentials ? Optional.ofNullable(passwordFile) : r.passwordFile(),
                    ownCredentials ? Optional.ofNullable(tokenFile) : r.tokenFile(),
                    trustedKeys != null ? trustedKeys : r.trustedKeys());
            config = new RuntimeConfig(config.configFile(), config.runtimeId(), config.controlPlaneURL(),
                    config.pluginRegistryURL(), config.eventBusURL(), config.pluginsDir(), config.assessmentsDir(),
                    config.logFormat(), config.pluginHost(), config.execution(), config.nats(), config.plugins(),
                    config.timeZone(), config.plans(), r);
        }
        InstalledPackage installed = new PackageProvisioner(config).install(wanted.packageName(), wanted.version());
        System.out.println((installed.downloaded() ? "installed " : "already installed ") + installed.ref() + " at "
                + installed.file() + " (sha256 " + installed.sha256() + ")");
        return 0;
    }
}
