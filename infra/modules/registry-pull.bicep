// AcrPull for the app's identity on the registry that holds the image; deployed into the registry's resource
// group, which may not be the app's.
targetScope = 'resourceGroup'

@description('Name of the container registry.')
param registryName string

@description('Resource id of the user-assigned identity (names the assignment stably).')
param identityId string

@description('Principal (object) id of that identity.')
param principalId string

// Built-in role AcrPull.
var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' existing = {
  name: registryName
}

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, identityId, acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'FhirMmn pulls its image.'
  }
}
