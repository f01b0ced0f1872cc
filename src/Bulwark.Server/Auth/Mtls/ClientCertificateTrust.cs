using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bulwark.Server.Auth.Mtls;

/// <summary>
/// Whether a client certificate was signed by one of the CAs of <c>BULWARK_MTLS_CLIENT_CA_PATH</c>
/// (AUTH-4). Only those CAs are roots: the machine's store is never consulted, or any public CA's
/// customer could log in as a tenant by putting its name in <c>O</c>.
/// </summary>
internal sealed class ClientCertificateTrust(X509Certificate2Collection authorities, TimeProvider time)
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    public static ClientCertificateTrust Load(string caBundlePath, TimeProvider time)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(caBundlePath);
        if (authorities.Count == 0)
        {
            throw new CryptographicException("The file holds no PEM certificate.");
        }

        return new ClientCertificateTrust(authorities, time);
    }

    /// <summary>Null when trusted; otherwise the reason, for the audit log.</summary>
    public string? Refusal(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        // CRL/OCSP would make every login depend on a network fetch; revocation is AUTH-5's check.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (chain.Build(certificate))
        {
            return null;
        }

        var status = chain.ChainStatus.Select(s => s.Status.ToString()).Distinct();
        return "untrusted_client_certificate:" + string.Join('|', status);
    }
}
