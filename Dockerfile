# The FhirMmn service as a container image. Build from the repository root (the build needs global.json,
# nuget.config and the Directory.*.props beside src/):
#   docker build -t fhirmmn:local .
# The image holds no secret and no configuration of a hospital: everything comes from the environment
# (README, "Configuration"; infra/main.bicep sets it in Azure). It requires a token on every request
# (Security:RequireToken=true), so Security__Authority or Security__SigningKey must be given to start.

ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

# ---- build: restore (cached while the project files do not change), then publish Release ----
FROM ${SDK_IMAGE} AS build
WORKDIR /source
COPY global.json nuget.config .editorconfig Directory.Build.props Directory.Packages.props ./
COPY src/FhirMmn.Domain/FhirMmn.Domain.csproj src/FhirMmn.Domain/
COPY src/FhirMmn.Fhir/FhirMmn.Fhir.csproj src/FhirMmn.Fhir/
COPY src/FhirMmn.Service/FhirMmn.Service.csproj src/FhirMmn.Service/
RUN dotnet restore src/FhirMmn.Service/FhirMmn.Service.csproj
COPY src/ src/
RUN dotnet publish src/FhirMmn.Service/FhirMmn.Service.csproj --configuration Release --no-restore \
      --output /app -p:UseAppHost=false

# ---- runtime: ASP.NET Core only, as the images' non-root user ----
FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
COPY --from=build /app ./

# The embedded store and queue (SQLite). A volume, owned by the user the service runs as; in Azure an
# Azure Files share is mounted here as that user (infra/main.bicep, containerUserId).
RUN mkdir -p /app/data && chown "$APP_UID:$APP_UID" /app/data && chmod 0700 /app/data
VOLUME ["/app/data"]

ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    ASPNETCORE_HTTP_PORTS= \
    FhirMmn__DataDirectory=/app/data \
    Security__RequireToken=true \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080

USER $APP_UID

# Liveness without curl or wget in the image: bash opens the port itself and reads the status line.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["dotnet", "FhirMmn.Service.dll"]
