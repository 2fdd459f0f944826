package io.ccf.ar.runtime.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

import io.nats.client.NKey;
import io.nats.client.support.JwtUtils;

/**
 * An operator, an account and a user, with the JWTs an operator-mode nats-server needs, issued with jnats' JwtUtils:
 * {@link #serverConfig} for the server ({@code operator}, {@code resolver: MEMORY}, {@code resolver_preload}) and
 * {@link #writeCreds} for the client's {@code .creds} file.
 */
public final class NatsJwts {
    public final String operatorJwt;
    public final String accountPublicKey;
    public final String accountJwt;
    public final String userJwt;
    public final String userSeed;

    private NatsJwts(String operatorJwt, String accountPublicKey, String accountJwt, String userJwt, String userSeed) {
        this.operatorJwt = operatorJwt;
        this.accountPublicKey = accountPublicKey;
        this.accountJwt = accountJwt;
        this.userJwt = userJwt;
        this.userSeed = userSeed;
    }

    public static NatsJwts issue() throws Exception {
        SecureRandom random = new SecureRandom();
        NKey operator = NKey.createOperator(random);
        NKey account = NKey.createAccount(random);
        NKey user = NKey.createUser(random);
        String operatorPub = new String(operator.getPublicKey());
        String accountPub = new String(account.getPublicKey());
        long now = JwtUtils.currentTimeSeconds();
        String operatorJwt = JwtUtils.issueJWT(operator, operatorPub, "ar-test-operator", null, now, operatorPub,
                () -> "{\"type\":\"operator\",\"version\":2}");
        String accountJwt = JwtUtils.issueJWT(operator, accountPub, "ar-test-account", null, now, operatorPub,
                () -> "{\"limits\":{\"subs\":-1,\"data\":-1,\"payload\":-1,\"imports\":-1,\"exports\":-1,"
                        + "\"wildcards\":true,\"conn\":-1,\"leaf\":-1},\"default_permissions\":{\"pub\":{},\"sub\":{}},"
                        + "\"type\":\"account\",\"version\":2}");
        String userJwt = JwtUtils.issueUserJWT(account, accountPub, new String(user.getPublicKey()), "ar-runtime");
        return new NatsJwts(operatorJwt, accountPub, accountJwt, userJwt, new String(user.getSeed()));
    }

    public String serverConfig() {
        return "operator: " + operatorJwt + "\nresolver: MEMORY\nresolver_preload: {\n  " + accountPublicKey + ": "
                + accountJwt + "\n}\n";
    }

    /** The standard .creds layout (what {@code nsc generate creds} writes). */
    public Path writeCreds(Path file) throws Exception {
        return Files.writeString(file, "-----BEGIN NATS USER JWT-----\n" + userJwt + "\n------END NATS USER JWT------\n\n"
                + "************************* IMPORTANT *************************\n"
                + "NKEY Seed printed below can be used to sign and prove identity.\n\n"
                + "-----BEGIN USER NKEY SEED-----\n" + userSeed + "\n------END USER NKEY SEED------\n");
    }
}
