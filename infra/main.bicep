// FhirMmn on Azure: one Container App reading its bundles from a Service Bus queue, the FHIR client secret
// in Key Vault, logs in Log Analytics, the embedded store on an Azure Files share. Deployed into one resource
// group: `az deployment group what-if` then `create` with main.bicepparam (infra/README.md).
targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------------------
// Names and place
// ---------------------------------------------------------------------------------------------------------

@description('Short lower-case name the resources are named after (3-12 characters: letters, digits, hyphens).')
@minLength(3)
@maxLength(12)
param name string

@description('Azure region of every resource; the resource group\'s own by default.')
param location string = resourceGroup().location

@description('Tags put on every resource (owner, cost centre, data classification...).')
param tags object = {}

// ---------------------------------------------------------------------------------------------------------
// Service Bus
// ---------------------------------------------------------------------------------------------------------

@description('Standard or Premium. Basic has no duplicate detection, sessions or scheduled messages, which the service relies on. Standard caps a message at 256 KB, so larger bundles need Premium.')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string = 'Standard'

@description('Messaging units of a Premium namespace (ignored for Standard).')
@allowed([
  1
  2
  4
  8
  16
])
param serviceBusPremiumCapacity int = 1

@description('Largest message a Premium queue takes, in KB (ignored for Standard, whose limit is 256 KB).')
@minValue(1024)
@maxValue(102400)
param serviceBusPremiumMaxMessageSizeInKilobytes int = 1024

@description('The queue the hospitals publish their bundles to and the service reads.')
@minLength(1)
@maxLength(260)
param queueName string = 'fhirmmn-bundles'

@description('How long a received message stays locked to the worker (ISO 8601, at most PT5M); the service renews the lock while it processes the message.')
param queueLockDuration string = 'PT1M'

@description('Deliveries before the broker dead-letters a message. Only crashes and unexpected errors spend deliveries: transient failures are rescheduled as new messages.')
@minValue(1)
@maxValue(2000)
param queueMaxDeliveryCount int = 10

@description('A message not taken within this time is dead-lettered, not dropped (ISO 8601).')
param queueMessageTimeToLive string = 'P14D'

@description('Window in which a resend with the same MessageId (the service sets it to a digest of the bundle) is dropped by the broker (ISO 8601, at most P7D).')
param queueDuplicateDetectionWindow string = 'PT10M'

@description('Sessions: one patient\'s bundles processed in order by one worker (the publisher sets SessionId from feed and patient). Cannot be changed once the queue exists.')
param queueRequiresSession bool = false

@description('Largest size of the queue in MB.')
@allowed([
  1024
  2048
  3072
  4096
  5120
])
param queueMaxSizeInMegabytes int = 1024

@description('True: Microsoft Entra ID only, no SAS keys or connection strings (the app and the publishers use managed identities or service principals). False only for a publisher that can do nothing but SAS; its Send-only rule on the queue is then the admin\'s to make.')
param serviceBusDisableLocalAuth bool = true

@description('Object ids of the hospital systems (service principals or managed identities) that publish bundles straight onto the queue: each gets Azure Service Bus Data Sender on this queue only.')
param publisherPrincipalIds array = []

// ---------------------------------------------------------------------------------------------------------
// The container
// ---------------------------------------------------------------------------------------------------------

@description('Name of the Azure Container Registry that holds the image; the app pulls from it with its managed identity (AcrPull).')
param containerRegistryName string

@description('Resource group of that registry, when it is not this one.')
param containerRegistryResourceGroup string = resourceGroup().name

@description('The image to run: the registry\'s login server, repository and tag, e.g. myregistry.azurecr.io/fhirmmn:1234.')
param containerImage string

@description('CPU cores of the container (a decimal, as text: Container Apps pairs 0.5 with 1Gi, 1.0 with 2Gi...).')
param containerCpu string = '0.5'

@description('Memory of the container.')
param containerMemory string = '1Gi'

@description('Fewest replicas. At least 1: the service also takes bundles over HTTP and keeps its lock renewals going.')
@minValue(1)
@maxValue(10)
param minReplicas int = 1

@description('Most replicas. Keep 1: the embedded store is one SQLite file for one process. A second worker would either keep a store of its own, and assess a patient without the results the first one holds, or open the same file from another host, which SQLite does not support (issue 13: one worker per deployment; workers sharing a store come later). Above minReplicas, the queue-length scale rule is added.')
@minValue(1)
@maxValue(10)
param maxReplicas int = 1

@description('Active messages per replica the queue-length scale rule aims at (used only when maxReplicas > minReplicas).')
@minValue(1)
param scaleMessagesPerReplica int = 50

@description('Where the embedded store lives. AzureFile: an Azure Files share that outlives restarts and deployments. EmptyDir: the replica\'s own disk, lost at every restart and deployment (trials only: the evidence merged over days would be lost).')
@allowed([
  'AzureFile'
  'EmptyDir'
])
param dataStorage string = 'AzureFile'

@description('Size of the Azure Files share of the store, in GiB.')
@minValue(1)
@maxValue(5120)
param dataShareQuotaGiB int = 32

@description('User id the image runs as (the .NET images\' APP_UID); the share is mounted as that user.')
param containerUserId int = 1654

// ---------------------------------------------------------------------------------------------------------
// Ingress and inbound tokens
// ---------------------------------------------------------------------------------------------------------

@description('True: HTTPS intake reachable from the internet (restricted by allowedIngressCidrs); false: only inside the Container Apps environment.')
param ingressExternal bool = true

@description('Address ranges (CIDR) allowed to reach the intake, e.g. the hospital\'s egress addresses; empty: any.')
param allowedIngressCidrs array = []

@description('OpenID Connect authority whose keys sign the tokens that hospital systems present (Security:Authority), e.g. https://login.microsoftonline.com/{tenant}/v2.0.')
param securityAuthority string

@description('Audience the tokens must carry (Security:Audience).')
param securityAudience string = 'fhirmmn'

@description('Issuer the tokens must carry (Security:Issuer); empty: not checked beyond the authority\'s keys.')
param securityIssuer string = ''

@description('The token claim that names the feed (Security:FeedClaim). With Entra ID: roles, and an app role whose value is the feed\'s name granted to each hospital system.')
param securityFeedClaim string = 'fhirmmn_feed'

// ---------------------------------------------------------------------------------------------------------
// The hospital's FHIR server
// ---------------------------------------------------------------------------------------------------------

@description('The feed\'s name (FhirMmn:Feed): part of the report identifiers and the value the tokens\' feed claim must carry.')
param feed string = 'default'

@description('Base URL of the hospital\'s FHIR R4 server (FhirServer:BaseUrl); empty: results stay in the embedded store.')
param fhirServerBaseUrl string = ''

@description('Outbound auth to the FHIR server (FhirServer:Auth).')
@allowed([
  'none'
  'client-credentials'
])
param fhirServerAuth string = 'none'

@description('OAuth 2.0 token endpoint for client-credentials (FhirServer:TokenEndpoint).')
param fhirServerTokenEndpoint string = ''

@description('OAuth 2.0 client id for client-credentials (FhirServer:ClientId).')
param fhirServerClientId string = ''

@description('OAuth 2.0 scope for client-credentials (FhirServer:Scope).')
param fhirServerScope string = ''

@description('The client secret for client-credentials. Never in a file: the pipeline passes it from a secret variable. Given, it is written to the Key Vault secret; empty, the secret already in the vault is kept (set by the hospital\'s admin).')
@secure()
param fhirClientSecret string = ''

// ---------------------------------------------------------------------------------------------------------
// Logs and telemetry
// ---------------------------------------------------------------------------------------------------------

@description('Days Log Analytics keeps the logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('OTLP endpoint for traces and metrics (OTEL_EXPORTER_OTLP_ENDPOINT); empty: none.')
param otlpEndpoint string = ''

// ---------------------------------------------------------------------------------------------------------
// Derived values
// ---------------------------------------------------------------------------------------------------------

var token = take(uniqueString(resourceGroup().id, name), 8)
var compactName = replace(name, '-', '')
var scaling = maxReplicas > minReplicas
var usesClientSecret = fhirServerAuth == 'client-credentials'
var clientSecretName = 'fhir-client-secret'
var dataPath = '/app/data'
var dataStorageName = 'data'

// Standard takes messages up to 256 KB including properties and headers (up to 64 KB); Premium up to the
// queue's limit. The intake refuses larger bundles with 413 instead of failing to enqueue them.
var maxBundleBytes = serviceBusSku == 'Premium' ? (serviceBusPremiumMaxMessageSizeInKilobytes - 64) * 1024 : 192 * 1024

// Built-in role definitions (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

// ---------------------------------------------------------------------------------------------------------
// Identities: the app's (used by its code through DefaultAzureCredential, AZURE_CLIENT_ID) and the scale
// rule's (used by the platform only, never visible to the container).
// ---------------------------------------------------------------------------------------------------------

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${name}-app-id'
  location: location
  tags: tags
}

resource scalerIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${name}-scaler-id'
  location: location
  tags: tags
}

// ---------------------------------------------------------------------------------------------------------
// Log Analytics
// ---------------------------------------------------------------------------------------------------------

resource logs 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: '${name}-logs'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionInDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Service Bus: managed identities only (no SAS keys), TLS 1.2.
// ---------------------------------------------------------------------------------------------------------

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: '${name}-sb-${token}'
  location: location
  tags: tags
  sku: serviceBusSku == 'Premium'
    ? {
        name: 'Premium'
        tier: 'Premium'
        capacity: serviceBusPremiumCapacity
      }
    : {
        name: 'Standard'
        tier: 'Standard'
      }
  properties: {
    disableLocalAuth: serviceBusDisableLocalAuth
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' = {
  parent: serviceBus
  name: queueName
  properties: union(
    {
      lockDuration: queueLockDuration
      maxDeliveryCount: queueMaxDeliveryCount
      defaultMessageTimeToLive: queueMessageTimeToLive
      deadLetteringOnMessageExpiration: true
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: queueDuplicateDetectionWindow
      requiresSession: queueRequiresSession
      maxSizeInMegabytes: queueMaxSizeInMegabytes
      enablePartitioning: false
      enableBatchedOperations: true
    },
    serviceBusSku == 'Premium' ? { maxMessageSizeInKilobytes: serviceBusPremiumMaxMessageSizeInKilobytes } : {}
  )
}

// The app receives and settles (complete, abandon, dead-letter) and sends (the intake's enqueue, the
// reschedule of a transient failure): both on this queue only.
resource appReceives 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(queue.id, appIdentity.id, roles.serviceBusDataReceiver)
  scope: queue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'FhirMmn reads and settles the bundles of this queue.'
  }
}

resource appSends 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(queue.id, appIdentity.id, roles.serviceBusDataSender)
  scope: queue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'FhirMmn enqueues the bundles posted over HTTP and reschedules transient failures on this queue.'
  }
}

// KEDA's azure-servicebus scaler reads the queue's message count through the management side of Service
// Bus, which a SAS rule grants only with Manage and RBAC only with Data Owner. It goes to the scaler's own
// identity, scoped to this queue, and only when the rule exists (maxReplicas > minReplicas).
resource scalerReadsQueueLength 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (scaling) {
  name: guid(queue.id, scalerIdentity.id, roles.serviceBusDataOwner)
  scope: queue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataOwner)
    principalId: scalerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'The Container Apps scale rule reads the length of this queue.'
  }
}

resource publishers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for publisher in publisherPrincipalIds: {
    name: guid(queue.id, publisher, roles.serviceBusDataSender)
    scope: queue
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
      principalId: publisher
      principalType: 'ServicePrincipal'
      description: 'A hospital system publishes bundles to this queue.'
    }
  }
]

// ---------------------------------------------------------------------------------------------------------
// Key Vault: RBAC authorization, soft delete with purge protection. It holds the FHIR client secret.
// ---------------------------------------------------------------------------------------------------------

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: '${name}-kv-${token}'
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource clientSecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = if (!empty(fhirClientSecret)) {
  parent: vault
  name: clientSecretName
  properties: {
    value: fhirClientSecret
    contentType: 'OAuth 2.0 client secret of FhirMmn at the hospital\'s FHIR server'
  }
}

resource appReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'FhirMmn reads its FHIR client secret (a Container Apps secret reference).'
  }
}

// ---------------------------------------------------------------------------------------------------------
// The image registry (possibly in another resource group): the app pulls with its identity.
// ---------------------------------------------------------------------------------------------------------

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' existing = {
  name: containerRegistryName
  scope: resourceGroup(containerRegistryResourceGroup)
}

module appPullsImages 'modules/registry-pull.bicep' = {
  name: '${name}-registry-pull'
  scope: resourceGroup(containerRegistryResourceGroup)
  params: {
    registryName: containerRegistryName
    identityId: appIdentity.id
    principalId: appIdentity.properties.principalId
  }
}

// ---------------------------------------------------------------------------------------------------------
// The store's share. SMB needs the account key; it goes from listKeys() straight into the environment's
// storage definition and is in no file and no output.
// ---------------------------------------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2026-09-01' = if (dataStorage == 'AzureFile') {
  name: '${take(compactName, 12)}st${token}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: true
    publicNetworkAccess: 'Enabled'
  }
}

resource fileService 'Microsoft.Storage/storageAccounts/fileServices@2026-09-01' = if (dataStorage == 'AzureFile') {
  parent: storage
  name: 'default'
  properties: {
    shareDeleteRetentionPolicy: {
      enabled: true
      days: 14
    }
  }
}

resource share 'Microsoft.Storage/storageAccounts/fileServices/shares@2026-09-01' = if (dataStorage == 'AzureFile') {
  parent: fileService
  name: 'fhirmmn-data'
  properties: {
    shareQuota: dataShareQuotaGiB
    enabledProtocols: 'SMB'
  }
}

// ---------------------------------------------------------------------------------------------------------
// Container Apps environment, its logs to Log Analytics
// ---------------------------------------------------------------------------------------------------------

resource environment 'Microsoft.App/managedEnvironments@2026-07-01' = {
  name: '${name}-env'
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
  }
}

resource environmentStorage 'Microsoft.App/managedEnvironments/storages@2026-07-01' = if (dataStorage == 'AzureFile') {
  parent: environment
  name: dataStorageName
  properties: {
    azureFile: {
      accountName: storage.name
      accountKey: storage!.listKeys().keys[0].value
      shareName: share.name
      accessMode: 'ReadWrite'
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The app
// ---------------------------------------------------------------------------------------------------------

// The configuration keys the service reads (README, "Configuration"); secrets only by reference.
var environmentVariables = concat(
  [
    { name: 'Messaging__Transport', value: 'AzureServiceBus' }
    {
      name: 'Messaging__AzureServiceBus__FullyQualifiedNamespace'
      value: parseUri(serviceBus.properties.serviceBusEndpoint).host
    }
    { name: 'Messaging__AzureServiceBus__QueueName', value: queue.name }
    { name: 'Messaging__AzureServiceBus__RequiresSession', value: string(queueRequiresSession) }
    { name: 'AZURE_CLIENT_ID', value: appIdentity.properties.clientId }
    { name: 'FhirMmn__Feed', value: feed }
    { name: 'FhirMmn__DataDirectory', value: dataPath }
    { name: 'FhirMmn__MaxBundleBytes', value: string(maxBundleBytes) }
    { name: 'Security__RequireToken', value: 'true' }
    { name: 'Security__Authority', value: securityAuthority }
    { name: 'Security__Audience', value: securityAudience }
    { name: 'Security__FeedClaim', value: securityFeedClaim }
    { name: 'FhirServer__Auth', value: fhirServerAuth }
  ],
  empty(securityIssuer) ? [] : [{ name: 'Security__Issuer', value: securityIssuer }],
  empty(fhirServerBaseUrl) ? [] : [{ name: 'FhirServer__BaseUrl', value: fhirServerBaseUrl }],
  usesClientSecret
    ? [
        { name: 'FhirServer__TokenEndpoint', value: fhirServerTokenEndpoint }
        { name: 'FhirServer__ClientId', value: fhirServerClientId }
        { name: 'FhirServer__ClientSecret', secretRef: clientSecretName }
      ]
    : [],
  usesClientSecret && !empty(fhirServerScope) ? [{ name: 'FhirServer__Scope', value: fhirServerScope }] : [],
  empty(otlpEndpoint) ? [] : [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: otlpEndpoint }]
)

var queueLengthRule = {
  name: 'queue-length'
  custom: {
    type: 'azure-servicebus'
    identity: scalerIdentity.id
    metadata: {
      namespace: serviceBus.name
      queueName: queue.name
      messageCount: string(scaleMessagesPerReplica)
    }
  }
}

resource app 'Microsoft.App/containerApps@2026-07-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${appIdentity.id}': {}
      '${scalerIdentity.id}': {}
    }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      identitySettings: [
        {
          identity: appIdentity.id
          lifecycle: 'Main'
        }
        {
          identity: scalerIdentity.id
          lifecycle: 'None'
        }
      ]
      ingress: {
        external: ingressExternal
        targetPort: 8080
        transport: 'http'
        allowInsecure: false
        ipSecurityRestrictions: [
          for (cidr, index) in allowedIngressCidrs: {
            name: 'allowed-${index}'
            action: 'Allow'
            ipAddressRange: cidr
          }
        ]
      }
      registries: [
        {
          server: registry.properties.loginServer
          identity: appIdentity.id
        }
      ]
      secrets: usesClientSecret
        ? [
            {
              name: clientSecretName
              keyVaultUrl: '${vault.properties.vaultUri}secrets/${clientSecretName}'
              identity: appIdentity.id
            }
          ]
        : []
    }
    template: {
      terminationGracePeriodSeconds: 60
      containers: [
        {
          name: 'fhirmmn'
          image: containerImage
          resources: {
            cpu: json(containerCpu)
            memory: containerMemory
          }
          env: environmentVariables
          probes: [
            {
              type: 'Startup'
              httpGet: {
                path: '/health/live'
                port: 8080
              }
              periodSeconds: 5
              failureThreshold: 24
              timeoutSeconds: 3
            }
            {
              type: 'Liveness'
              httpGet: {
                path: '/health/live'
                port: 8080
              }
              periodSeconds: 15
              failureThreshold: 3
              timeoutSeconds: 3
            }
            {
              // Readiness is the service's own state (its store); the FHIR server's is reported apart, so
              // an outage at the hospital does not take the intake out of the load balancer.
              type: 'Readiness'
              httpGet: {
                path: '/health/ready'
                port: 8080
              }
              periodSeconds: 10
              failureThreshold: 3
              timeoutSeconds: 5
            }
          ]
          volumeMounts: [
            {
              volumeName: 'data'
              mountPath: dataPath
            }
          ]
        }
      ]
      volumes: [
        dataStorage == 'AzureFile'
          ? {
              name: 'data'
              storageType: 'AzureFile'
              storageName: environmentStorage.name
              mountOptions: 'uid=${containerUserId},gid=${containerUserId},dir_mode=0700,file_mode=0600'
            }
          : {
              name: 'data'
              storageType: 'EmptyDir'
            }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: scaling ? [queueLengthRule] : []
      }
    }
  }
  dependsOn: [
    appPullsImages
    appReadsSecrets
    appReceives
    appSends
    clientSecret
  ]
}

// ---------------------------------------------------------------------------------------------------------
// Outputs (no secrets)
// ---------------------------------------------------------------------------------------------------------

@description('Where the hospital systems post their bundles: https://{fqdn}/fhir/Bundle.')
output intakeFqdn string = app.properties.configuration.ingress.fqdn

@description('The Service Bus namespace hospital publishers connect to.')
output serviceBusNamespace string = parseUri(serviceBus.properties.serviceBusEndpoint).host

@description('The queue hospital publishers send their bundles to.')
output queueName string = queue.name

@description('The vault that holds the FHIR client secret (secret name: fhir-client-secret).')
output keyVaultName string = vault.name

@description('Client id of the app\'s managed identity (for a FHIR server that authorizes it, e.g. Azure Health Data Services).')
output appIdentityClientId string = appIdentity.properties.clientId
