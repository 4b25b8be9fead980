"""Checks a SCORM package the way an LMS's importer would.

usage: scorm_check.py SCHEMAS PACKAGE.zip

SCHEMAS is the folder of ADL's definition files (scorm12edition or
scorm20044thedition). The manifest must validate against every schema its
namespaces name, every file a resource names must be in the zip, every
file in the zip must be named by a resource, and every identifierref must
name a resource. Prints one line per problem and exits 1 if there is any.
"""

import pathlib
import sys
import tempfile
import zipfile

from lxml import etree

NAMESPACES = {
    "http://www.imsproject.org/xsd/imscp_rootv1p1p2": [
        ("http://www.imsproject.org/xsd/imscp_rootv1p1p2", "imscp_rootv1p1p2.xsd"),
        ("http://www.adlnet.org/xsd/adlcp_rootv1p2", "adlcp_rootv1p2.xsd"),
        # imsmd_rootv1p2p1.xsd (IEEE LOM metadata) breaks XML Schema's
        # unique-particle rule, so libxml2 cannot load it. coursegen writes
        # no LOM; any LOM element would fail here as undeclared, since the
        # manifest's extension points are processed strictly.
    ],
    "http://www.imsglobal.org/xsd/imscp_v1p1": [
        ("http://www.imsglobal.org/xsd/imscp_v1p1", "imscp_v1p1.xsd"),
        ("http://www.adlnet.org/xsd/adlcp_v1p3", "adlcp_v1p3.xsd"),
        ("http://www.adlnet.org/xsd/adlseq_v1p3", "adlseq_v1p3.xsd"),
        ("http://www.adlnet.org/xsd/adlnav_v1p3", "adlnav_v1p3.xsd"),
        ("http://www.imsglobal.org/xsd/imsss", "imsss_v1p0.xsd"),
    ],
}


def readable(folder):
    """The edition's schemas as libxml2 reads them. SCORM 1.2's ims_xml.xsd
    binds the default namespace to XML's own, which libxml2 refuses; the
    binding names nothing in the file (its types are xsd:-prefixed), so a
    copy without it declares exactly the same attributes."""
    copy = pathlib.Path(tempfile.mkdtemp(prefix="scorm-schemas-"))
    for file in folder.iterdir():
        text = file.read_bytes()
        if file.name == "ims_xml.xsd":
            text = text.replace(b'xmlns="http://www.w3.org/XML/1998/namespace"', b"", 1)
        (copy / file.name).write_bytes(text)
    return copy


def schema(folder, root_namespace):
    """One schema importing every namespace of the edition, so the
    manifest's extension elements are validated strictly too."""
    folder = readable(folder)
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(folder / file).resolve().as_uri()}"/>'
        for ns, file in NAMESPACES[root_namespace]
    )
    wrapper = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'targetNamespace="urn:coursegen:scorm-check">{imports}</xs:schema>'
    )
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser, base_url=str(folder.resolve()) + "/"))


def main():
    folder, package = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    problems = []
    with zipfile.ZipFile(package) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if "imsmanifest.xml" not in names:
            print("no imsmanifest.xml at the package's root")
            return 1
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    root_namespace = etree.QName(manifest).namespace
    if root_namespace not in NAMESPACES:
        print(f"the manifest's namespace {root_namespace} is no SCORM edition's")
        return 1
    check = schema(folder, root_namespace)
    if not check.validate(manifest):
        problems += [f"schema: line {e.line}: {e.message}" for e in check.error_log]
    ns = {"cp": root_namespace}
    referenced = set()
    resources = set()
    for resource in manifest.iterfind(".//cp:resources/cp:resource", ns):
        resources.add(resource.get("identifier"))
        href = resource.get("href")
        files = [f.get("href") for f in resource.iterfind("cp:file", ns)]
        if href is not None and href not in files:
            problems.append(f"resource {resource.get('identifier')}: its href {href} is not among its files")
        referenced.update(files)
    for ref in manifest.iterfind(".//*[@identifierref]"):
        if ref.get("identifierref") not in resources:
            problems.append(f"{ref.get('identifier') or ref.tag}: identifierref {ref.get('identifierref')} names no resource")
    present = set(names) - {"imsmanifest.xml"}
    problems += [f"missing from the zip: {name}" for name in sorted(referenced - present)]
    problems += [f"in the zip but referenced by no resource: {name}" for name in sorted(present - referenced)]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
