// Checks what the library-user project got from jbert: its program ran, and its dependency tree is
// clean and minimal. Fails with every problem found, each naming what and where.
def problems = []
def log = new File(basedir, 'build.log').getText('UTF-8')

// --- the program ran: a forward pass, then fine-tuning with charts
if (log.contains('BUILD FAILURE')) problems << "a build of the project failed: see ${new File(basedir, 'build.log')}"
['library-user: embedding of 32 floats', 'library-user: fine-tuned 2 steps'].each {
  if (!log.contains(it)) problems << "build.log lacks '${it}'"
}
// JavaCPP warns when its jar and a native jar come from different releases
if (log =~ /(?i)versions of org\.bytedeco:\S+ and \S+ do not match/) problems << 'build.log: JavaCPP version mismatch warning'

// --- the dependency trees. A line of dependency:tree: group:artifact:type[:classifier]:version:scope
def parse = { String name ->
  def file = new File(basedir, name)
  if (!file.isFile()) { problems << "${name} was not written"; return [] }
  def lines = file.readLines('UTF-8').drop(1) // the first line is the project itself
  lines.collect { line ->
    def coords = line.replaceFirst(/^[\s|+\\-]*/, '').replaceFirst(/ \(.*$/, '').split(':')
    def m = [group: coords[0], artifact: coords[1], type: coords[2], scope: coords[-1], version: coords[-2],
             classifier: coords.size() == 6 ? coords[3] : '']
    m.id = coords.join(':')
    m
  }
}
def platforms = ['linux-x86_64', 'linux-arm64', 'linux-ppc64le', 'linux-armhf', 'macosx-x86_64', 'macosx-arm64',
                 'windows-x86_64', 'windows-x86', 'android-arm64', 'android-x86_64', 'ios-arm64']
def forbidden = [
  'org.junit', 'org.opentest4j', 'org.apiguardian',        // test libraries
  'me.tongfei', 'org.jline', 'info.picocli',                 // the command line's terminal libraries
  'org.openjdk.jmh', 'ai.djl',                               // benchmarks
  'org.apache.pdfbox', 'de.rototor.pdfbox', 'de.erichseifert.vectorgraphics2d', 'com.madgag'] // chart exporters jbert does not use
def check = { String name, String platform ->
  def deps = parse(name)
  if (deps.isEmpty()) return deps
  deps.findAll { d -> forbidden.any { d.group == it || d.group.startsWith(it + '.') } }.each { problems << "${name}: ${it.id} should not reach a library user" }
  deps.findAll { it.scope in ['test', 'provided', 'system'] }.each { problems << "${name}: ${it.id} in a user's tree" }
  def javacpp = deps.findAll { it.group == 'org.bytedeco' && it.artifact == 'javacpp' }*.version.unique()
  if (javacpp.size() != 1) problems << "${name}: JavaCPP versions ${javacpp}, expected one"
  def openblas = deps.findAll { it.group == 'org.bytedeco' && it.artifact == 'openblas' }*.version.unique()
  if (openblas.size() != 1) problems << "${name}: OpenBLAS versions ${openblas}, expected one"
  def natives = deps.findAll { it.classifier in platforms }
  natives.findAll { it.classifier != platform }.each { problems << "${name}: ${it.id} is not for ${platform}" }
  ['org.nd4j:nd4j-native', 'org.bytedeco:openblas', 'org.bytedeco:javacpp'].each { ga ->
    if (!natives.any { "${it.group}:${it.artifact}" == ga && it.classifier == platform }) problems << "${name}: no ${ga} natives for ${platform}"
  }
  if (new File(basedir, name).text.contains('linux-x86_64') && platform != 'linux-x86_64') problems << "${name} names linux-x86_64"
  deps
}

def os = System.getProperty('os.name').toLowerCase()
def arch = System.getProperty('os.arch')
def host = (os.contains('mac') ? 'macosx' : os.contains('win') ? 'windows' : 'linux') + '-' +
    (arch in ['amd64', 'x86_64'] ? 'x86_64' : arch == 'aarch64' ? 'arm64' : arch)
def hostDeps = check('tree-host.txt', host)
check('tree-macosx-arm64.txt', 'macosx-arm64')

// --- size of what the user's program runs with
def cp = new File(basedir, 'classpath-host.txt')
if (cp.isFile()) {
  def jars = cp.text.trim().split(File.pathSeparator).collect { new File(it) }
  def mb = jars.sum { it.length() } / 1e6
  println String.format(Locale.ROOT, 'library-user classpath on %s: %d jars, %.1f MB', host, jars.size(), mb)
  if (jars.size() != hostDeps.size()) problems << "classpath has ${jars.size()} jars, the tree ${hostDeps.size()}"
} else {
  problems << 'classpath-host.txt was not written'
}

// --- what is published beside each library: sources and Javadoc jars, and the BOM
def version = jbertVersion
['tokenizer', 'transformer-core', 'optim', 'finetune-cs'].each { a ->
  ['sources', 'javadoc'].each { c ->
    def jar = new File(localRepositoryPath, "dev/jbert/${a}/${version}/${a}-${version}-${c}.jar")
    if (!jar.isFile()) problems << "no ${c} jar for ${a} (${jar})"
  }
}
if (!new File(localRepositoryPath, "dev/jbert/jbert-bom/${version}/jbert-bom-${version}.pom").isFile()) problems << 'jbert-bom is not installed'

if (problems) {
  throw new AssertionError('library-user:\n  ' + problems.join('\n  '))
}
println 'library-user: dependency trees clean (host ' + host + ', macosx-arm64), program ran'
return true
