using System.Reflection;
using FhirMmn.Domain;

namespace FhirMmn.Fhir;

/// <summary>What produced an assessment: the software and the criteria it encodes.</summary>
public static class ClassifierInfo
{
    public const string Name = "FhirMmn MMN classifier";

    public const string Manufacturer = "FhirMmn";

    /// <summary>
    /// The software version (the assembly's version, without build metadata; set in Directory.Build.props).
    /// 0.2.0: criteria revision 2 (docs/criteria.md), with <see cref="EfnsPns2010.Version"/> 0.2.0.
    /// </summary>
    public static string SoftwareVersion { get; } = ReadVersion();

    public static string CriteriaVersion => $"{EfnsPns2010.Id} {EfnsPns2010.Version}";

    /// <summary>Identifies the classifier Device: one per software and criteria version.</summary>
    public static string DeviceIdentifier => $"mmn-classifier-{SoftwareVersion}-{EfnsPns2010.Id}-{EfnsPns2010.Version}";

    private static string ReadVersion()
    {
        var informational = typeof(ClassifierInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational?.Split('+')[0] ?? "0.0.0";
    }
}
