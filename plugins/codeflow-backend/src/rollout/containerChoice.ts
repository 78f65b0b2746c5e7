/**
 * The repository of an image reference: without its digest (`@sha256:…`) and its tag (a `:` after
 * the last `/`; a `:` before it is a registry's port).
 */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** The digest an image reference pins (`repo@sha256:…`), if it pins one. */
export function digestOf(image: string): string | undefined {
  const at = image.indexOf('@');
  return at < 0 ? undefined : image.slice(at + 1);
}

/**
 * Which container of a Deployment takes the new image: the one whose image is of the same
 * repository; else the only container. Anything else is refused in words naming the containers
 * (a roll-out never guesses which process to replace).
 */
export function chooseContainer(
  containers: Array<{ name: string; image?: string }>,
  image: string,
): { container: string; from: string } | { refusal: string } {
  const repository = repositoryOf(image);
  const same = containers.filter(
    c => c.image !== undefined && repositoryOf(c.image) === repository,
  );
  if (same.length === 1) {
    return { container: same[0].name, from: same[0].image ?? '' };
  }
  const listed = containers
    .map(c => `${c.name} (${c.image ?? 'no image'})`)
    .join(', ');
  if (same.length > 1) {
    return {
      refusal: `${same.length} containers run an image of ${repository}: ${listed}; a codeflow rolls one container, so give each its own repository`,
    };
  }
  if (containers.length === 1) {
    return { container: containers[0].name, from: containers[0].image ?? '' };
  }
  return {
    refusal:
      containers.length === 0
        ? 'it has no container'
        : `none of its containers runs an image of ${repository}, and it has ${containers.length}: ${listed}; set the one to roll to an image of ${repository} once (the Services page's Upgrade)`,
  };
}
