using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using k8s;
using k8s.Models;
using Session.Tests.Infrastructure;

namespace Session.Tests.Deploy;

/// <summary>
/// The remote worker's deployment files, which cannot run here (no container engine, no cluster):
/// every manifest under deploy/kubernetes is read strictly into the Kubernetes API's own models
/// (KubernetesClient, generated from the API's OpenAPI definition: an unknown or misspelt field, a
/// wrong type, a duplicate key or an unknown kind fails), then the links between them that a typo
/// would break without any schema noticing are checked: selectors, ports, Secrets, the probe, the
/// drain, the autoscaler's and the disruption budget's target, the kustomization, and the
/// Dockerfile's entry point and port.
/// </summary>
public sealed class DeployManifestTests
{
    private const string WorkerNamespace = "processfutures";
    private const int WorkerPort = 5443;

    private static readonly string s_root = ProcessRunner.RepositoryRoot();
    private static readonly string s_kubernetes = Path.Combine(s_root, "deploy", "kubernetes");

    private List<(string File, object Value)> _objects = [];

    /// <summary>
    /// Read leniently here, so that a misspelt field fails its file's strict test, by name, and the
    /// checks that its absence breaks, rather than every test at once.
    /// </summary>
    [OneTimeSetUp]
    public void LoadManifests()
    {
        _objects = ManifestFiles()
            .SelectMany(file => KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(s_kubernetes, file)), strict: false).Select(value => (file, value)))
            .ToList();
    }

    private static IEnumerable<string> ManifestFiles() =>
        Directory.EnumerateFiles(s_kubernetes, "*.yaml")
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => name != "kustomization.yaml")
            .Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(ManifestFiles))]
    public void Manifest_ReadStrictlyIntoTheApiModels_HasApiVersionKindNameAndTheNamespace(string file)
    {
        List<object> values = KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(s_kubernetes, file)), strict: true);

        Assert.That(values, Is.Not.Empty, file);
        foreach (IKubernetesObject<V1ObjectMeta> value in values.Cast<IKubernetesObject<V1ObjectMeta>>())
        {
            Assert.That(value.ApiVersion, Is.Not.Null.And.Not.Empty, file);
            Assert.That(value.Kind, Is.Not.Null.And.Not.Empty, file);
            Assert.That(value.Metadata?.Name, Is.Not.Null.And.Not.Empty, $"{file}: {value.Kind} without metadata.name");
            if (value is V1Namespace)
            {
                Assert.That(value.Metadata.Name, Is.EqualTo(WorkerNamespace), file);
            }
            else
            {
                // Right whether applied with -k (which sets it anyway) or file by file with -f.
                Assert.That(value.Metadata.NamespaceProperty, Is.EqualTo(WorkerNamespace), $"{file}: {value.Kind} '{value.Metadata.Name}'");
            }
        }
    }

    [Test]
    public void Manifests_AreOneOfEachKindTheDeploymentNeeds()
    {
        Assert.That(
            _objects.Select(o => ((IKubernetesObject)o.Value).Kind),
            Is.EquivalentTo(new[] { "Namespace", "Secret", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget" }));
    }

    [Test]
    public void Kustomization_ListsEveryManifest_InTheWorkersNamespace()
    {
        var kustomization = KubernetesYaml.Deserialize<Dictionary<string, object>>(File.ReadAllText(Path.Combine(s_kubernetes, "kustomization.yaml")), strict: true);

        Assert.That(kustomization["apiVersion"], Is.EqualTo("kustomize.config.k8s.io/v1beta1"));
        Assert.That(kustomization["kind"], Is.EqualTo("Kustomization"));
        Assert.That(kustomization["namespace"], Is.EqualTo(WorkerNamespace));
        var resources = ((List<object>)kustomization["resources"]).Cast<string>().ToList();
        Assert.That(resources, Is.EquivalentTo(ManifestFiles()).And.Unique);

        // The image it names is the one the Deployment runs.
        var images = ((List<object>)kustomization["images"]).Cast<Dictionary<object, object>>().ToList();
        Assert.That(images.Select(image => (string)image["name"]), Is.EqualTo(new[] { ImageName(Container().Image) }));
    }

    /// <summary>What <c>kubectl apply -k</c> applies, built by kubectl's own kustomize where kubectl is installed (offline).</summary>
    [Test]
    public async Task Kustomization_BuildsWithKubectl_IntoEveryObjectInTheWorkersNamespace()
    {
        string? kubectl = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "kubectl"))
            .FirstOrDefault(File.Exists);
        if (kubectl is null)
        {
            Assert.Ignore("kubectl is not installed: the kustomization's build is not checked here.");
        }

        (int exitCode, string output) = await ProcessRunner.RunAsync(kubectl, ["kustomize", s_kubernetes], s_root, seconds: 60);

        Assert.That(exitCode, Is.Zero, output);
        List<object> built = KubernetesYaml.LoadAllFromString(output, strict: true);
        Assert.That(built.Select(o => ((IKubernetesObject)o).Kind), Is.EquivalentTo(_objects.Select(o => ((IKubernetesObject)o.Value).Kind)));
        Assert.That(built.OfType<V1Deployment>().Single().Spec.Template.Spec.Containers.Single().Image, Is.EqualTo(Container().Image));
    }

    [Test]
    public void Deployment_Selector_MatchesItsPodsAndIsTheServicesAndTheBudgets()
    {
        V1Deployment deployment = Single<V1Deployment>();
        IDictionary<string, string> podLabels = deployment.Spec.Template.Metadata.Labels;

        Assert.That(deployment.Spec.Selector.MatchLabels, Is.Not.Empty);
        Assert.That(deployment.Spec.Selector.MatchExpressions, Is.Null.Or.Empty);
        Assert.That(deployment.Spec.Selector.MatchLabels, Is.SubsetOf(podLabels));
        Assert.That(Single<V1Service>().Spec.Selector, Is.Not.Empty.And.SubsetOf(podLabels));
        Assert.That(Single<V1PodDisruptionBudget>().Spec.Selector.MatchLabels, Is.Not.Empty.And.SubsetOf(podLabels));
        Assert.That(deployment.Spec.Replicas, Is.EqualTo(Single<V2HorizontalPodAutoscaler>().Spec.MinReplicas), "replicas equal to the autoscaler's minimum");
    }

    [Test]
    public void Service_IsHeadless_OnThePortTheWorkerListensOn()
    {
        V1Service service = Single<V1Service>();
        V1ContainerPort containerPort = Container().Ports.Single();

        Assert.That(service.Spec.ClusterIP, Is.EqualTo("None"), "headless: DNS answers with every ready pod's address");
        Assert.That(service.Spec.Type, Is.Null.Or.EqualTo("ClusterIP"));
        Assert.That(service.Spec.PublishNotReadyAddresses, Is.Null.Or.False, "a draining or starting pod must not be in DNS");
        Assert.That(containerPort.ContainerPort, Is.EqualTo(WorkerPort));
        Assert.That(containerPort.Protocol, Is.Null.Or.EqualTo("TCP"));
        V1ServicePort port = service.Spec.Ports.Single();
        Assert.That(port.Port, Is.EqualTo(WorkerPort), "clients dial the pods' addresses on the Service's port");
        Assert.That(ResolvePort(port.TargetPort), Is.EqualTo(WorkerPort));
        Assert.That(port.AppProtocol, Is.Null.Or.EqualTo("https"), "gRPC with TLS, never plain-text h2c");

        V1EnvVar listen = Env("PROCESSFUTURES_LISTEN");
        Assert.That(new Uri(listen.Value).Port, Is.EqualTo(WorkerPort));
        Assert.That(new Uri(listen.Value).Scheme, Is.EqualTo("https"), "the worker refuses plain-text listening");
    }

    [Test]
    public void Deployment_ReadinessIsHttpsHealthz_LivenessIsNot()
    {
        V1Container container = Container();

        V1HTTPGetAction readiness = container.ReadinessProbe.HttpGet;
        Assert.That(readiness, Is.Not.Null, "readiness: GET /healthz (503 while draining)");
        Assert.That(readiness.Path, Is.EqualTo("/healthz"));
        Assert.That(readiness.Scheme, Is.EqualTo("HTTPS"), "the worker listens with TLS only");
        Assert.That(ResolvePort(readiness.Port), Is.EqualTo(WorkerPort));
        Assert.That(readiness.HttpHeaders, Is.Null.Or.Empty, "/healthz needs no token");

        // /healthz says 503 while the worker drains: a liveness probe on it would kill the pod mid-drain.
        V1Probe liveness = container.LivenessProbe;
        Assert.That(liveness, Is.Not.Null);
        Assert.That(liveness.HttpGet?.Path, Is.Not.EqualTo("/healthz"));
        Assert.That(ResolvePort(liveness.TcpSocket?.Port ?? liveness.HttpGet?.Port), Is.EqualTo(WorkerPort));
    }

    [Test]
    public void Deployment_TokenAndCertificate_ComeFromMountedSecrets()
    {
        V1Secret token = Single<V1Secret>();
        Assert.That(token.Type, Is.EqualTo("Opaque"));
        Assert.That(Env("PROCESSFUTURES_TOKEN", required: false), Is.Null, "the token is read from a file, not the pod's environment");

        (V1Volume tokenVolume, string tokenKey) = SecretFileBehind(Env("PROCESSFUTURES_TOKEN_FILE").Value);
        Assert.That(tokenVolume.Secret.SecretName, Is.EqualTo(token.Metadata.Name));
        Assert.That(token.StringData?.Keys ?? token.Data.Keys, Does.Contain(tokenKey));

        (V1Volume certificateVolume, string certificateKey) = SecretFileBehind(Env("PROCESSFUTURES_CERTIFICATE").Value);
        (V1Volume keyVolume, string keyKey) = SecretFileBehind(Env("PROCESSFUTURES_CERTIFICATE_KEY").Value);
        Assert.That(certificateVolume, Is.SameAs(keyVolume));
        Assert.That((certificateKey, keyKey), Is.EqualTo(("tls.crt", "tls.key")), "the keys of a kubernetes.io/tls Secret");

        // Readable by the worker's group only (fsGroup), not by every user of the node's files.
        V1PodSecurityContext pod = Single<V1Deployment>().Spec.Template.Spec.SecurityContext;
        Assert.That(pod.FsGroup, Is.EqualTo(pod.RunAsUser));
        Assert.That(new[] { tokenVolume, certificateVolume }.Select(v => v.Secret.DefaultMode & 0b111), Is.All.EqualTo(0), "no access for others");
    }

    [Test]
    public void Deployment_Drains_BeforeItIsKilled()
    {
        V1PodSpec pod = Single<V1Deployment>().Spec.Template.Spec;
        V1LifecycleHandler preStop = Container().Lifecycle.PreStop;

        Assert.That(pod.TerminationGracePeriodSeconds, Is.GreaterThanOrEqualTo(60), "the longest request (100 s by default) plus a margin");
        Assert.That(preStop?.Exec?.Command, Is.Not.Null.And.Not.Empty, "a pause so that the pod leaves the Service before the worker drains");
        Assert.That(preStop!.Exec.Command[0], Is.EqualTo("sleep"));
        Assert.That(int.Parse(preStop.Exec.Command[1], System.Globalization.CultureInfo.InvariantCulture), Is.InRange(1, pod.TerminationGracePeriodSeconds!.Value / 4));

        V1RollingUpdateDeployment rolling = Single<V1Deployment>().Spec.Strategy.RollingUpdate;
        Assert.That(ResolvePort(rolling.MaxUnavailable), Is.Zero, "a rollout never lowers capacity");
    }

    [Test]
    public void Deployment_RunsAsNonRoot_ReadOnly_WithResourcesTheAutoscalerNeeds()
    {
        V1PodSpec pod = Single<V1Deployment>().Spec.Template.Spec;
        V1Container container = Container();

        Assert.That(pod.SecurityContext.RunAsNonRoot, Is.True);
        Assert.That(pod.SecurityContext.RunAsUser, Is.GreaterThan(0));
        Assert.That(pod.SecurityContext.SeccompProfile?.Type, Is.EqualTo("RuntimeDefault"));
        Assert.That(container.SecurityContext.AllowPrivilegeEscalation, Is.False);
        Assert.That(container.SecurityContext.ReadOnlyRootFilesystem, Is.True);
        Assert.That(container.SecurityContext.Capabilities.Drop, Is.EqualTo(new[] { "ALL" }));
        Assert.That(pod.AutomountServiceAccountToken, Is.False, "the worker never calls the Kubernetes API");

        // With a read-only root, /tmp must be a volume (.NET's diagnostics socket, temporary files).
        V1VolumeMount tmp = container.VolumeMounts.Single(m => m.MountPath == "/tmp");
        Assert.That(pod.Volumes.Single(v => v.Name == tmp.Name).EmptyDir, Is.Not.Null);

        Assert.That(container.Resources.Requests.Keys, Is.SupersetOf(new[] { "cpu", "memory" }), "the autoscaler's utilization is relative to the CPU request");
        Assert.That(container.Resources.Limits.Keys, Does.Contain("memory"));
    }

    [Test]
    public void AutoscalerAndDisruptionBudget_TargetTheDeployment()
    {
        V1Deployment deployment = Single<V1Deployment>();
        V2HorizontalPodAutoscaler autoscaler = Single<V2HorizontalPodAutoscaler>();
        V1PodDisruptionBudget budget = Single<V1PodDisruptionBudget>();

        Assert.That(autoscaler.ApiVersion, Is.EqualTo("autoscaling/v2"));
        Assert.That(autoscaler.Spec.ScaleTargetRef.ApiVersion, Is.EqualTo(deployment.ApiVersion));
        Assert.That(autoscaler.Spec.ScaleTargetRef.Kind, Is.EqualTo(deployment.Kind));
        Assert.That(autoscaler.Spec.ScaleTargetRef.Name, Is.EqualTo(deployment.Metadata.Name));
        Assert.That(autoscaler.Spec.MinReplicas, Is.GreaterThanOrEqualTo(2));
        Assert.That(autoscaler.Spec.MaxReplicas, Is.GreaterThan(autoscaler.Spec.MinReplicas));
        V2MetricSpec metric = autoscaler.Spec.Metrics.Single();
        Assert.That((metric.Type, metric.Resource.Name, metric.Resource.Target.Type), Is.EqualTo(("Resource", "cpu", "Utilization")));
        Assert.That(metric.Resource.Target.AverageUtilization, Is.InRange(1, 100));

        Assert.That(budget.ApiVersion, Is.EqualTo("policy/v1"));
        Assert.That(budget.Spec.Selector.MatchLabels, Is.EquivalentTo(deployment.Spec.Selector.MatchLabels));
        Assert.That(budget.Spec.MinAvailable is null ^ budget.Spec.MaxUnavailable is null, Is.True, "one of minAvailable and maxUnavailable");
        if (budget.Spec.MinAvailable is not null)
        {
            Assert.That(ResolvePort(budget.Spec.MinAvailable), Is.LessThan(autoscaler.Spec.MinReplicas), "a budget the minimum can meet, or no node drains");
        }
    }

    [Test]
    public void Dockerfile_RunsTheRemoteWorker_OnTheServicesPort_AsNonRoot()
    {
        List<(string Instruction, string Arguments)> instructions = DockerfileInstructions(File.ReadAllText(Path.Combine(s_root, "deploy", "Dockerfile")));
        List<(string Instruction, string Arguments)> runtime = instructions.Skip(instructions.FindLastIndex(i => i.Instruction == "FROM")).ToList();

        Assert.That(runtime[0].Arguments, Does.StartWith("mcr.microsoft.com/dotnet/aspnet:"));
        string[] entryPoint = JsonSerializer.Deserialize<string[]>(runtime.Single(i => i.Instruction == "ENTRYPOINT").Arguments)!;
        Assert.That(entryPoint, Is.EqualTo(new[] { "dotnet", "WorkerHost.dll", "--remote" }));
        Assert.That(runtime.Where(i => i.Instruction == "EXPOSE").Select(i => i.Arguments), Is.EqualTo(new[] { $"{WorkerPort}" }));
        Assert.That(runtime.Single(i => i.Instruction == "USER").Arguments, Is.Not.EqualTo("root").And.Not.EqualTo("0"));
        Assert.That(runtime.Single(i => i.Instruction == "WORKDIR").Arguments, Is.EqualTo("/app"), "callbacks are found in the worker's own directory");
        Assert.That(Container().Command, Is.Null.Or.Empty, "the Deployment keeps the image's entry point");
        Assert.That(Container().Args, Is.Null.Or.Empty);
    }

    [Test]
    public void Dockerfile_CopiesOnlyWhatExists_AndWhatTheIgnoreFileLetsIn()
    {
        List<(string Instruction, string Arguments)> instructions = DockerfileInstructions(File.ReadAllText(Path.Combine(s_root, "deploy", "Dockerfile")));
        string[] allowed = File.ReadAllLines(Path.Combine(s_root, "deploy", "Dockerfile.dockerignore"))
            .Where(line => line.StartsWith('!'))
            .Select(line => line[1..].TrimEnd('/'))
            .ToArray();

        List<string> sources = instructions
            .Where(i => i.Instruction == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
            .Select(source => source.TrimEnd('/'))
            .ToList();
        Assert.That(sources, Is.Not.Empty);
        foreach (string source in sources)
        {
            string path = Path.Combine(s_root, source);
            Assert.That(File.Exists(path) || Directory.Exists(path), Is.True, $"COPY {source}: not in the repository");
            Assert.That(allowed.Any(a => source == a || source.StartsWith(a + "/", StringComparison.Ordinal)), Is.True, $"COPY {source}: deploy/Dockerfile.dockerignore leaves it out of the build context");
        }

        // What it publishes carries the callbacks.
        Match publish = Regex.Match(string.Join('\n', instructions.Where(i => i.Instruction == "RUN").Select(i => i.Arguments)), @"dotnet publish (\S+\.csproj)");
        Assert.That(publish.Success, Is.True, "a RUN dotnet publish of a project");
        XDocument project = XDocument.Load(Path.Combine(s_root, publish.Groups[1].Value));
        Assert.That(
            project.Descendants("ProjectReference").Select(r => Path.GetFileName(r.Attribute("Include")!.Value.Replace('\\', '/'))),
            Is.SupersetOf(new[] { "Session.Client.csproj", "Callbacks.csproj" }));
    }

    private T Single<T>() => _objects.Select(o => o.Value).OfType<T>().Single();

    private V1Container Container() => Single<V1Deployment>().Spec.Template.Spec.Containers.Single();

    private V1EnvVar Env(string name) => Env(name, required: true)!;

    private V1EnvVar? Env(string name, bool required)
    {
        V1EnvVar? variable = Container().Env?.SingleOrDefault(e => e.Name == name);
        if (required)
        {
            Assert.That(variable, Is.Not.Null, $"the worker's container sets {name}");
        }

        return variable;
    }

    /// <summary>The Secret volume mounted where <paramref name="path"/> is, and the key that file holds.</summary>
    private (V1Volume Volume, string Key) SecretFileBehind(string path)
    {
        V1VolumeMount mount = Container().VolumeMounts.Single(m => path.StartsWith(m.MountPath.TrimEnd('/') + "/", StringComparison.Ordinal));
        Assert.That(mount.ReadOnlyProperty, Is.True, mount.Name);
        Assert.That(mount.SubPath, Is.Null, "a subPath mount never sees the Secret's updates");
        V1Volume volume = Single<V1Deployment>().Spec.Template.Spec.Volumes.Single(v => v.Name == mount.Name);
        Assert.That(volume.Secret, Is.Not.Null, $"{path} is in a Secret volume");
        string file = path[(mount.MountPath.TrimEnd('/').Length + 1)..];
        string key = volume.Secret.Items?.SingleOrDefault(item => item.Path == file)?.Key ?? file;
        return (volume, key);
    }

    /// <summary>A port given by number or by the container port's name, as a number.</summary>
    private int? ResolvePort(IntOrString? port)
    {
        if (port?.Value is null)
        {
            return null;
        }

        return int.TryParse(port.Value, out int number)
            ? number
            : Container().Ports.Single(p => p.Name == port.Value).ContainerPort;
    }

    private static string ImageName(string image)
    {
        int tag = image.LastIndexOf(':');
        return tag > image.LastIndexOf('/') ? image[..tag] : image;
    }

    /// <summary>Instructions and their arguments, comments and line continuations removed.</summary>
    private static List<(string Instruction, string Arguments)> DockerfileInstructions(string text)
    {
        var instructions = new List<(string, string)>();
        string pending = "";
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith('#'))
            {
                continue;
            }

            pending = pending.Length == 0 ? line : $"{pending} {line}";
            if (pending.EndsWith('\\'))
            {
                pending = pending[..^1].TrimEnd();
                continue;
            }

            if (pending.Length > 0)
            {
                string[] parts = pending.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
                instructions.Add((parts[0].ToUpperInvariant(), parts.Length > 1 ? Regex.Replace(parts[1].Trim(), @"\s+", " ") : ""));
            }

            pending = "";
        }

        return instructions;
    }
}
