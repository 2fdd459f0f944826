/**
 * The assessment runtime's plugin SDK: implement {@link io.ccf.ar.sdk.Provider},
 * call {@link io.ccf.ar.sdk.PluginServer#serve(io.ccf.ar.sdk.Provider)} from
 * {@code main}, log with {@link io.ccf.ar.sdk.PluginLog}. The messages are the
 * wire contract's, in {@code io.ccf.ar.proto}. Everything in
 * {@code io.ccf.ar.sdk.internal} may change without notice.
 *
 * <p>Ship the plugin as one runnable jar built with maven-shade-plugin. With its
 * {@code minimizeJar} option the jar holds only the classes the plugin reaches
 * (the SDK makes the classes its libraries load by name reachable); copy the
 * filters of the sample plugin's {@code pom.xml}, which keep all of
 * {@code protobuf-java} and drop what a plugin never loads (the README's "A
 * small plugin jar" says why each is there). {@code ar run-plugin JAR} runs the
 * result once under the real host.
 */
package io.ccf.ar.sdk;
