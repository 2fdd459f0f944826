package io.ccf.ar.runtime.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.ccf.ar.runtime.files.FileTrees;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private directory (mode 0700) the host creates for one plugin process to put its Unix socket in,
 * passed as {@code PLUGIN_UNIX_SOCKET_DIR} (go-plugin 1.5+, our SDK) and {@code TMPDIR} (older Go
 * plugins, which call {@code ioutil.TempFile("", "plugin")}). When the process is gone the host removes
 * this directory and what is in it, and nothing else: the address in a handshake is the plugin's word,
 * so a plugin naming {@code unix|/some/file} must not make the host delete that file (as go-plugin 1.5+
 * hosts do, which also remove only the directory they made).
 */
final class PluginSocketDir {
    private static final Logger log = LoggerFactory.getLogger(PluginSocketDir.class);

    private final Path dir;

    private PluginSocketDir(Path dir) {
        this.dir = dir;
    }

    /** Creates the directory under {@code base}, or the JVM's temp dir when null. */
    static PluginSocketDir create(Path base, PackageRef ref) {
        Path parent = base != null ? base : Path.of(System.getProperty("java.io.tmpdir"));
        // short: a Unix socket path is limited to 107 bytes
        String prefix = "ar-" + ref.name().replaceAll("[^A-Za-z0-9._-]", "_");
        if (prefix.length() > 24) {
            prefix = prefix.substring(0, 24);
        }
        try {
            Files.createDirectories(parent);
            return new PluginSocketDir(Files.createTempDirectory(parent, prefix + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
        } catch (IOException | UnsupportedOperationException e) {
            throw new PluginStartException("cannot create a socket directory for plugin " + ref + " under " + parent
                    + ": " + e.getMessage(), e);
        }
    }

    Path path() {
        return dir;
    }

    /** Whether a handshake's Unix socket address lies in this directory. */
    boolean holds(String socketAddress) {
        Path socket = Path.of(socketAddress).toAbsolutePath().normalize();
        return dir.equals(socket.getParent());
    }

    /** Removes the directory and its content (links are removed, never followed); call once the process is gone. */
    void delete() {
        try {
            FileTrees.deleteTree(dir);
        } catch (IOException e) {
            log.atDebug().addKeyValue("dir", dir).log("cannot remove plugin socket directory: {}", e.getMessage());
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
