package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.testsupport.TestCertificates;
import dev.esper.testsupport.TestCertificates.KeyForm;
import dev.esper.testsupport.TestCertificates.Pair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link PemKeyStore}: the PEM files openssl and Let's Encrypt write, read with the JDK alone. */
class PemKeyStoreTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(KeyForm.class)
    void readsACertificateAndItsKeyInEveryPemFormOpensslWrites(KeyForm form) throws Exception {
        Pair pem = TestCertificates.make(dir, form, form.name());

        KeyStore store = PemKeyStore.load("--tls-cert", pem.cert(), "--tls-key", pem.key());

        assertThat(store.getKey(PemKeyStore.ALIAS, PemKeyStore.PASSWORD.toCharArray())).isInstanceOf(PrivateKey.class);
        X509Certificate cert = (X509Certificate) store.getCertificateChain(PemKeyStore.ALIAS)[0];
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    }

    @Test
    void aChainKeepsItsOrderServerCertificateFirst() throws Exception {
        Pair server = TestCertificates.make(dir, KeyForm.EC_PKCS8, "server");
        Pair other = TestCertificates.make(dir, KeyForm.RSA_PKCS8, "other");
        Path chain = Files.writeString(dir.resolve("fullchain.pem"), Files.readString(server.cert())
                + Files.readString(other.cert()));

        KeyStore store = PemKeyStore.load("--tls-cert", chain, "--tls-key", server.key());

        assertThat(store.getCertificateChain(PemKeyStore.ALIAS)).hasSize(2);
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() {
        Pair one = TestCertificates.make(dir, KeyForm.EC_PKCS8, "one");
        Pair two = TestCertificates.make(dir, KeyForm.EC_PKCS8, "two");

        assertThatThrownBy(() -> PemKeyStore.load("--tls-cert", one.cert(), "--tls-key", two.key()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--tls-key " + two.key() + ": this private key does not belong to the first certificate "
                        + "of --tls-cert " + one.cert() + " (CN=localhost)");
        Pair rsa = TestCertificates.make(dir, KeyForm.RSA_PKCS1, "rsa");
        assertThatThrownBy(() -> PemKeyStore.load("--tls-cert", one.cert(), "--tls-key", rsa.key()))
                .hasMessageContaining("does not belong");
    }

    @Test
    void filesWithoutTheirPemBlockOrWithAnEncryptedKeyAreRefusedSayingWhat() throws Exception {
        Pair pem = TestCertificates.make(dir);
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not a pem file\n");
        Path encrypted = Files.writeString(dir.resolve("enc.pem"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
        Path broken = Files.writeString(dir.resolve("broken.pem"),
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        assertThatThrownBy(() -> PemKeyStore.load("--tls-cert", empty, "--tls-key", pem.key()))
                .hasMessage("--tls-cert " + empty + ": no PEM certificate in it (a block from -----BEGIN "
                        + "CERTIFICATE----- to -----END CERTIFICATE-----)");
        assertThatThrownBy(() -> PemKeyStore.load("--tls-cert", pem.cert(), "--tls-key", pem.cert()))
                .hasMessageStartingWith("--tls-key " + pem.cert() + ": no PEM private key in it");
        assertThatThrownBy(() -> PemKeyStore.load("--tls-cert", pem.cert(), "--tls-key", encrypted))
                .hasMessageStartingWith("--tls-key " + encrypted + ": the private key is encrypted");
        assertThatThrownBy(() -> PemKeyStore.load("--tls-cert", pem.cert(), "--tls-key", broken))
                .hasMessage("--tls-key " + broken + ": the private key is not an RSA, EC or EdDSA key this JVM can read");
    }
}
