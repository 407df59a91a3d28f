using System.Globalization;
using System.Text.Json;
using FhirMmn.Fhir.Outcomes;

namespace FhirMmn.Fhir.R4;

/// <summary>
/// The invariants R4 sets on Bundle (bdl-1 to bdl-12; R4 has no bdl-6), checked on a Bundle whose structure is
/// valid. A Bundle that breaks one is not a valid R4 Bundle: a refusal like any structural one (400), reported with
/// the invariant's key first in the text, issue code <c>invariant</c> and the location.
/// </summary>
/// <remarks>
/// All eleven bear on a feed bundle, so all are checked. The feed takes collection, transaction, batch, message,
/// document and searchset Bundles, and each of those can break each rule: bdl-1 (total), bdl-2 (entry.search) and the
/// "otherwise prohibited" halves of bdl-3 and bdl-4 (entry.request, entry.response) in the wrong type; bdl-3's
/// "mandatory" half in a transaction or batch; bdl-5, bdl-7 and bdl-8 on any entry; bdl-9 to bdl-11 in a document
/// and bdl-12 in a message. The halves that concern history, batch-response and transaction-response Bundles (types
/// the feed refuses as such, 422) are checked too: validity comes first, and the rule is the same loop. One reading:
/// a message or document without entries breaks bdl-12 or bdl-11 (it has no MessageHeader or Composition first), as
/// the independent R4 validator holds.
/// The check reads each entry's properties once; the fullUrls it reads are handed on, so the contract reader does not
/// decode them again.
/// </remarks>
internal static class BundleInvariants
{
    public static IReadOnlyList<FhirIssue> Check(JsonElement bundle, out string?[] fullUrls)
    {
        var issues = new Issues();
        var type = bundle.GetProperty("type");
        var history = type.ValueEquals("history"u8);
        var searchset = type.ValueEquals("searchset"u8);
        var document = type.ValueEquals("document"u8);
        var message = type.ValueEquals("message"u8);
        var requests = history || type.ValueEquals("batch"u8) || type.ValueEquals("transaction"u8);
        var responses = history || type.ValueEquals("batch-response"u8) || type.ValueEquals("transaction-response"u8);

        if (!searchset && !history && (bundle.TryGetProperty("total", out _) || bundle.TryGetProperty("_total", out _)))
        {
            issues.Add("bdl-1", "total is only for a searchset or history Bundle", "Bundle.total");
        }

        if (document)
        {
            if (!(bundle.TryGetProperty("identifier", out var identifier)
                && identifier.TryGetProperty("system", out _) && identifier.TryGetProperty("value", out _)))
            {
                issues.Add("bdl-9", "a document Bundle needs an identifier with a system and a value", "Bundle.identifier");
            }

            if (!bundle.TryGetProperty("timestamp", out _))
            {
                issues.Add("bdl-10", "a document Bundle needs a timestamp (its date)", "Bundle.timestamp");
            }
        }

        var count = bundle.TryGetProperty("entry", out var entries) ? entries.GetArrayLength() : 0;
        fullUrls = count == 0 ? [] : new string?[count];
        string? firstType = null;
        HashSet<(string FullUrl, string? VersionId)>? seen = null;
        var i = -1;
        if (count > 0)
        {
            foreach (var entry in entries.EnumerateArray())
            {
                i++;
                JsonElement resource = default;
                bool hasResource = false, hasRequest = false, hasResponse = false, hasSearch = false;
                string? fullUrl = null;
                foreach (var property in entry.EnumerateObject())
                {
                    if (property.NameEquals("resource"u8))
                    {
                        hasResource = true;
                        resource = property.Value;
                    }
                    else if (property.NameEquals("fullUrl"u8))
                    {
                        fullUrl = property.Value.GetString();
                    }
                    else if (property.NameEquals("request"u8))
                    {
                        hasRequest = true;
                    }
                    else if (property.NameEquals("response"u8))
                    {
                        hasResponse = true;
                    }
                    else if (property.NameEquals("search"u8))
                    {
                        hasSearch = true;
                    }
                }

                fullUrls[i] = fullUrl;
                if (i == 0 && hasResource)
                {
                    firstType = resource.GetProperty("resourceType").GetString();
                }

                if (!hasResource && !hasRequest && !hasResponse)
                {
                    issues.Add("bdl-5", "an entry needs a resource, a request or a response", At(i));
                }

                if (hasSearch && !searchset)
                {
                    issues.Add("bdl-2", "entry.search is only for a searchset Bundle", At(i, "search"));
                }

                if (hasRequest && !requests)
                {
                    issues.Add("bdl-3", "entry.request is only for a batch, transaction or history Bundle", At(i, "request"));
                }
                else if (!hasRequest && requests)
                {
                    issues.Add("bdl-3", "every entry of a batch, transaction or history Bundle needs a request", At(i));
                }

                if (hasResponse && !responses)
                {
                    issues.Add("bdl-4", "entry.response is only for a batch-response, transaction-response or history Bundle", At(i, "response"));
                }
                else if (!hasResponse && responses)
                {
                    issues.Add("bdl-4", "every entry of a batch-response, transaction-response or history Bundle needs a response", At(i));
                }

                if (fullUrl is null)
                {
                    continue;
                }

                if (fullUrl.Contains("/_history/", StringComparison.Ordinal))
                {
                    issues.Add("bdl-8", "fullUrl cannot be a version-specific reference (/_history/)", At(i, "fullUrl"));
                }

                if (!history && !(seen ??= new HashSet<(string, string?)>(count)).Add((fullUrl, VersionId(hasResource, resource))))
                {
                    issues.Add("bdl-7", "this fullUrl is already that of an earlier entry; entries may share a fullUrl only with different meta.versionId", At(i, "fullUrl"));
                }
            }
        }

        if (document && firstType != "Composition")
        {
            issues.Add("bdl-11", "a document Bundle's first entry must be its Composition", count == 0 ? "Bundle" : At(0));
        }

        if (message && firstType != "MessageHeader")
        {
            issues.Add("bdl-12", "a message Bundle's first entry must be its MessageHeader", count == 0 ? "Bundle" : At(0));
        }

        return issues.Done();
    }

    private static string? VersionId(bool hasResource, JsonElement resource) =>
        hasResource && resource.TryGetProperty("meta", out var meta) && meta.TryGetProperty("versionId", out var version)
            ? version.GetString()
            : null;

    private static string At(int index, string? child = null)
    {
        var entry = "Bundle.entry[" + index.ToString(CultureInfo.InvariantCulture) + "]";
        return child is null ? entry : entry + "." + child;
    }

    /// <summary>The issues found, capped like the structure check's (one entry-level rule could otherwise repeat for every entry).</summary>
    private sealed class Issues
    {
        private readonly List<FhirIssue> list = [];
        private int suppressed;

        public void Add(string key, string rule, string expression)
        {
            if (list.Count < R4StructureValidator.MaxIssues)
            {
                list.Add(FhirIssue.Error(IssueCodes.Invariant, $"{key}: {char.ToUpperInvariant(rule[0])}{rule[1..]}.", expression));
            }
            else
            {
                suppressed++;
            }
        }

        public List<FhirIssue> Done()
        {
            if (suppressed > 0)
            {
                list.Add(FhirIssue.Error(IssueCodes.Invariant, $"{suppressed} more Bundle invariant issue(s) not listed."));
            }

            return list;
        }
    }
}
