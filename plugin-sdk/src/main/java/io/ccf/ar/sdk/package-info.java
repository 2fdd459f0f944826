/**
 * The assessment runtime's plugin SDK: implement {@link io.ccf.ar.sdk.Provider},
 * call {@link io.ccf.ar.sdk.PluginServer#serve(io.ccf.ar.sdk.Provider)} from
 * {@code main}, log with {@link io.ccf.ar.sdk.PluginLog}. The messages are the
 * wire contract's, in {@code io.ccf.ar.proto}. Everything in
 * {@code io.ccf.ar.sdk.internal} may change without notice.
 */
package io.ccf.ar.sdk;
