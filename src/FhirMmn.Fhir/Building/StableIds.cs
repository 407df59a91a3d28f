using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FhirMmn.Fhir.Building;

/// <summary>Identifiers and transaction-local URNs derived from content, so that the same input gives the same bytes.</summary>
public static class StableIds
{
    /// <summary>The opaque assessment identifier: a hash of feed, patient and episode.</summary>
    public static string Assessment(string feed, string patientKey, int episode) =>
        Hex($"assessment\n{feed}\n{patientKey}\n{episode.ToString(CultureInfo.InvariantCulture)}")[..32];

    public static string CarePlan(string assessment, int generation) =>
        $"{assessment}-{generation.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A name-based UUID (RFC 9562 version 8 layout) as a urn:uuid.</summary>
    public static string Urn(params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts)));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return $"urn:uuid:{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
