using FhirMmn.Fhir.Extraction;
using FhirMmn.Service.Storage;

namespace FhirMmn.Service.Features.AssessPatient;

/// <summary>
/// Assessment episodes (docs/write-back.md): new motor studies more than the episode gap after the newest
/// input of the last assessment open a new episode. Episode k holds the results dated after the newest input
/// its predecessor was assessed on; a late result of an earlier episode goes back to that episode.
/// </summary>
internal static class EpisodePlanner
{
    public static List<Episode> Plan(IReadOnlyList<Episode> existing, IReadOnlyList<FeedObservation> incoming, TimeSpan gap)
    {
        var episodes = existing.Count == 0 ? [Episode.First] : existing.ToList();
        var last = episodes[^1];
        if (last.NewestInput is { } newest)
        {
            var opensNew = incoming.Any(o => o.Reading is CmapReading && o.IsUsable && o.Effective > newest + gap);
            if (opensNew)
            {
                episodes.Add(Episode.First with { Number = last.Number + 1, StartsAfter = newest });
            }
        }

        return episodes;
    }

    public static Episode EpisodeOf(IReadOnlyList<Episode> episodes, FeedObservation observation) =>
        episodes.Last(e => e.StartsAfter is null || observation.Effective > e.StartsAfter);
}
