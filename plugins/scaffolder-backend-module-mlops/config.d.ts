export interface Config {
  scaffolder?: {
    /** Settings of the mlops scaffolder actions. */
    mlops?: {
      /**
       * `mlops:publish:local`: publish generated projects into a directory on
       * the backend's machine instead of a Git host, so the templates run
       * without any SCM integration (the quick start). Leave unset in
       * production: the action then refuses to run.
       */
      localPublish?: {
        /**
         * The directory that receives one sub-directory per project.
         * Absolute, or relative to the backend's working directory (for
         * `yarn start`, packages/backend). A `catalog.locations` entry of
         * type `file` must cover `<directory>/<project>/catalog-info.yaml`:
         * its target is that path with a `*` wildcard in place of the
         * project name (see the README).
         */
        directory: string;
      };
    };
  };
}
