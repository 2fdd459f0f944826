/**
 * A test harness for plugin authors: runs a plugin as a real child process, started through
 * HashiCorp go-plugin's handshake exactly as the assessment runtime starts it, and calls it
 * over gRPC from a test. Add it with test scope:
 *
 * <pre>{@code
 * <dependency>
 *   <groupId>io.ccf.ar</groupId>
 *   <artifactId>plugin-sdk-testing</artifactId>
 *   <version>0.1.0-SNAPSHOT</version>
 *   <scope>test</scope>
 * </dependency>
 * }</pre>
 *
 * <p>A complete JUnit 5 test of a provider {@code DiskPlugin} whose {@code Evaluate} lists
 * disks and whose {@code Execute} raises a finding for a full one:
 *
 * <pre>{@code
 * import static org.junit.jupiter.api.Assertions.assertEquals;
 * import static org.junit.jupiter.api.Assertions.assertThrows;
 *
 * import io.ccf.ar.proto.EvaluateResult;
 * import io.ccf.ar.proto.ExecuteResult;
 * import io.ccf.ar.sdk.testing.PluginAssertions;
 * import io.ccf.ar.sdk.testing.PluginCallException;
 * import io.ccf.ar.sdk.testing.PluginHarness;
 * import io.grpc.Status;
 * import java.time.Duration;
 * import java.util.List;
 * import org.junit.jupiter.api.Test;
 *
 * class DiskPluginTest {
 *     @Test
 *     void raisesAFindingForAFullDisk() {
 *         try (PluginHarness plugin = PluginHarness.forProvider(DiskPlugin.class)
 *                 .config("path", "/")
 *                 .callTimeout(Duration.ofSeconds(10))
 *                 .start()) {
 *             EvaluateResult subjects = plugin.evaluate();
 *             PluginAssertions.assertSubjectIds(subjects, "vm-1", "vm-2");
 *
 *             ExecuteResult one = plugin.execute(subjects.getSubjects(0));
 *             PluginAssertions.assertSucceeded(one);
 *             PluginAssertions.assertFindingFor(one, "vm-1");
 *
 *             List<ExecuteResult> all = plugin.executeAll();   // Evaluate, then Execute per subject
 *             assertEquals(2, all.size());
 *
 *             plugin.awaitLogLine("checked disk");              // what the plugin logged with PluginLog
 *             System.out.println(plugin.logLines());
 *         }                                                     // Shutdown, then kill if it hangs
 *     }
 *
 *     @Test
 *     void rejectsARelativePath() {
 *         try (PluginHarness plugin = PluginHarness.forProvider(DiskPlugin.class).config("path", "tmp").start()) {
 *             PluginCallException e = assertThrows(PluginCallException.class, plugin::executeAll);
 *             assertEquals(Status.Code.INVALID_ARGUMENT, e.code()); // the provider threw IllegalArgumentException
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>The same test can run against the packaged plugin ({@code java -jar}, after
 * {@code mvn package}, e.g. in an integration-test phase) or a Go plugin binary:
 *
 * <pre>{@code
 * PluginHarness.forJar(Path.of("target/disk-plugin.jar")).config("path", "/").start()
 * PluginHarness.forExecutable(Path.of("bin/disk-plugin")).startTimeout(Duration.ofSeconds(30)).start()
 * }</pre>
 *
 * <p><b>What the harness does</b>: {@link io.ccf.ar.sdk.testing.PluginHarnessBuilder#start()}
 * spawns the process with the magic cookie, {@code PLUGIN_PROTOCOL_VERSIONS=1} and a one-shot
 * auto-mTLS certificate in {@code PLUGIN_CLIENT_CERT} (as the runtime does; plaintext if the
 * plugin does not answer with a certificate, or with {@code autoMtls(false)}), reads the
 * handshake line from the first line of stdout, dials the announced TCP address or Unix socket,
 * checks gRPC health ({@code "plugin"} SERVING), opens the go-plugin stdio stream and calls
 * {@code Init} with the configuration. Each call has the call timeout. {@code close()} calls
 * {@code Shutdown}, then go-plugin's controller shutdown, and kills the process (with its
 * descendants) if it has not exited within the stop timeout; a harness left open is killed
 * when the test JVM exits.
 *
 * <p><b>Failures</b> are exceptions with the plugin's stderr tail in the message:
 * {@link io.ccf.ar.sdk.testing.PluginStartException} when the plugin cannot be started
 * (exited before the handshake, no handshake in time, Init failed),
 * {@link io.ccf.ar.sdk.testing.PluginCallException} when a call fails (its gRPC code and
 * description, a timeout, or the process dying during the call).
 */
package io.ccf.ar.sdk.testing;
