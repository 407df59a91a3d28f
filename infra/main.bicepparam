// Parameters of one FhirMmn deployment. Replace every value marked REPLACE with the hospital's own before the
// first deployment (infra/README.md, "What the hospital's Azure admin provides"); none of them is a secret.
// The image and the FHIR client secret come from the pipeline's environment at deployment time, never
// from this file.
using './main.bicep'

param name = 'fhirmmn'

param containerRegistryName = 'REPLACEregistry'
param containerImage = readEnvironmentVariable('FHIRMMN_IMAGE', 'REPLACEregistry.azurecr.io/fhirmmn:REPLACE')

// Inbound tokens: the hospital's Entra ID tenant (or another OpenID Connect authority).
param securityAuthority = 'https://login.microsoftonline.com/REPLACE-tenant-id/v2.0'
param securityAudience = 'api://fhirmmn'
// An app role of the FhirMmn app registration whose value is the feed's name, granted to each hospital system.
param securityFeedClaim = 'roles'

// Outbound: the hospital's FHIR server.
param fhirServerBaseUrl = 'https://REPLACE-fhir-server.example.org/fhir'
param fhirServerAuth = 'client-credentials'
param fhirServerTokenEndpoint = 'https://REPLACE-identity.example.org/oauth2/token'
param fhirServerClientId = 'REPLACE-client-id'
param fhirServerScope = 'system/*.write system/*.read'
param fhirClientSecret = readEnvironmentVariable('FHIRMMN_FHIR_CLIENT_SECRET', '')

// The queue: defaults as in main.bicep, named here because sessions and duplicate detection cannot be
// changed once the queue exists.
param serviceBusSku = 'Standard'
param queueName = 'fhirmmn-bundles'
param queueRequiresSession = false

// One worker per deployment (main.bicep, maxReplicas).
param minReplicas = 1
param maxReplicas = 1

param dataStorage = 'AzureFile'

// Hospital egress ranges allowed to reach the intake, and the systems that publish straight to the queue.
param allowedIngressCidrs = []
param publisherPrincipalIds = []
