export interface Config {
  containerCloud?: {
    storage?: {
      /**
       * Volumes: the storage types each cluster offers a service's volumes. A type's name is what
       * the page offers; the same name may stand for a different StorageClass or NFS server in
       * each cluster. A volume of a type can only live in the clusters that declare the type.
       */
      volumes?: {
        /** the storage types of each cluster */
        clusters?: Array<{
          /** a cluster of `kubernetes.clusterLocatorMethods` */
          cluster: string;
          types: Array<{
            /** what the page and the API call the type, e.g. `standard` or `nfs` */
            name: string;
            /** a longer label for the page; default the name */
            title?: string;
            /**
             * Dynamic provisioning: the StorageClass claims are made of (its provisioner creates
             * the volume; without one the claim stays Pending). Resizing is offered when the
             * class says `allowVolumeExpansion: true`. Exactly one of storageClass and nfs.
             */
            storageClass?: string;
            /**
             * A static NFS export: the backend creates a PersistentVolume with an `nfs` source at
             * `<basePath>/<namespace>/<volume>` for each claim and binds the claim to it
             * (`volumeName` and `claimRef`), as platforms without a provisioner do. The folder
             * must exist on the server before a pod mounts it. These volumes are not resized.
             */
            nfs?: {
              /** the NFS server's host name or address */
              server: string;
              /** an absolute folder of the export, under which each volume gets its own */
              basePath: string;
              /** the PersistentVolume's mount options, e.g. ['nfsvers=4.1'] */
              mountOptions?: string[];
              /** what deleting the volume does to its PersistentVolume: Retain (default) or Delete */
              reclaimPolicy?: 'Retain' | 'Delete';
            };
            /** the access modes the page offers; default all the type's kind supports */
            accessModes?: Array<
              | 'ReadWriteOnce'
              | 'ReadOnlyMany'
              | 'ReadWriteMany'
              | 'ReadWriteOncePod'
            >;
          }>;
        }>;
        /**
         * The admin page flags a claim nothing has mounted for this many days as an orphan
         * (besides claims of no catalog entity); default 7.
         */
        orphanAfterDays?: number;
      };
      /**
       * Config files: a service's file sets, versioned in the plugin's database and written as
       * one ConfigMap (a Secret for secret sets) per set in every cluster the service runs in.
       */
      configFiles?: {
        /**
         * The key secret file sets' versions are encrypted with in the database (AES-256-GCM):
         * 32 random bytes, base64 (44 characters) or hex (64), e.g. `openssl rand -base64 32`.
         * Without it, secret sets cannot be created (a 400 says so). Changing it makes the
         * secret versions saved before unreadable; the Secrets in the clusters are unaffected.
         * @visibility secret
         */
        encryptionKey?: string;
      };
    };
  };
}
